"""backprop-stepper's user interfaces: the Textual stepper and the command line."""
