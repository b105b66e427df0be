"""The `backprop-stepper` command.

    backprop-stepper [SCENARIO]        open the stepper (a picker of bundled scenarios if none)
    backprop-stepper trace SCENARIO    print the trace (--json: one JSON object per line)
    backprop-stepper check SCENARIO    validate, and compare with the document's printed values
    backprop-stepper list              list the bundled scenarios

SCENARIO is a path to a .toml file or the name of a bundled scenario. A bad scenario prints one
message naming the file, the place and the problem, and exits with status 1; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from core import ScenarioError, Trace, resolve

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2

COMMANDS: dict[str, Callable[[list[str]], int]] = {}


def command(name: str):
    def register(function):
        COMMANDS[name] = function
        return function

    return register


def _load(argument: str) -> Trace:
    scenario = resolve(argument)
    for warning in scenario.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return Trace(scenario)


@command("trace")
def _trace(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backprop-stepper trace", description="Print every event of the trace.")
    parser.add_argument("scenario", help="a scenario file, or the name of a bundled scenario")
    parser.add_argument("--json", action="store_true", help="one JSON object per line and event")
    parser.add_argument("--iteration", type=int, metavar="N", help="only iteration N")
    args = parser.parse_args(argv)
    from .report import write_json_lines, write_table

    trace = _load(args.scenario)
    if args.iteration is not None:
        if not 1 <= args.iteration <= trace.iterations:
            parser.error(f"--iteration must be 1..{trace.iterations}")
        start = trace.index_of(args.iteration, 0)
        events = (trace[i] for i in range(start, start + trace.per_iteration))
    else:
        events = iter(trace)
    if args.json:
        write_json_lines(events, sys.stdout)
    else:
        write_table(trace, events, sys.stdout)
    return EXIT_OK


@command("check")
def _check(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-stepper check",
        description="Validate a scenario and report each recorded document value that disagrees "
        "with the exact value at the document's printed precision.",
    )
    parser.add_argument("scenario")
    parser.add_argument("--strict", action="store_true", help="exit with status 3 if any document value disagrees")
    args = parser.parse_args(argv)
    from .report import write_check

    differing = write_check(_load(args.scenario), sys.stdout)
    return 3 if args.strict and differing else EXIT_OK


@command("list")
def _list(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="backprop-stepper list", description="List the bundled scenarios.").parse_args(argv)
    from .report import write_list

    write_list(sys.stdout)
    return EXIT_OK


def _open_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-stepper",
        description="Step through backpropagation one computation at a time.",
        epilog="commands: " + ", ".join(sorted(COMMANDS)) + " (backprop-stepper COMMAND --help)",
    )
    parser.add_argument("scenario", nargs="?", help="a scenario file or bundled scenario name (default: a picker)")
    args = parser.parse_args(argv)
    trace = _load(args.scenario) if args.scenario else None
    from .app import StepperApp  # Textual is imported only when the app opens

    StepperApp(trace=trace).run()
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    handler = COMMANDS.get(argv[0]) if argv else None
    try:
        if handler is not None:
            return handler(argv[1:])
        return _open_app(argv)
    except ScenarioError as error:
        for warning in error.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `backprop-stepper trace x | head`: the reader left, which is not an error. Point stdout
        # at /dev/null so the interpreter's final flush does not complain about it either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
