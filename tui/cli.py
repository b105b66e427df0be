"""The `backprop-stepper` command.

    backprop-stepper [SCENARIO]        open the stepper (a picker of bundled scenarios if none)
    backprop-stepper trace SCENARIO    print the trace (--json: one JSON object per line)
    backprop-stepper check SCENARIO    validate, and compare with the document's printed values
    backprop-stepper list              list the bundled scenarios
    backprop-stepper gradcheck SCENARIO   analytic against central-difference gradients
    backprop-stepper export SCENARIO --format markdown|json -o FILE
    backprop-stepper new --layers 2,3,1 [--activation tanh] [--seed N] -o FILE
    backprop-stepper serve [SCENARIO] [--host 127.0.0.1] [--port 8000] [--max-sessions N]

SCENARIO is a path to a .toml file or the name of a bundled scenario. A bad scenario prints one
message naming the file, the place and the problem, and exits with status 1; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial

from backprop_stepper.core import ScenarioError, Trace, resolve

from .launch import collector_paused

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2
EXIT_DOCUMENT_DIFFERS = 3  # check --strict
EXIT_DISAGREES, EXIT_NOT_FINITE = 4, 5  # gradcheck: a gradient disagrees / is not finite (a diverged run)

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
    from .progress import counted
    from .report import write_lines, write_table

    trace = _load(args.scenario)
    if args.iteration is not None:
        if not 1 <= args.iteration <= trace.iterations:
            parser.error(f"--iteration must be 1..{trace.iterations}")
        iterations = range(args.iteration, args.iteration + 1)
    else:
        iterations = range(1, trace.iterations + 1)
    if args.json:  # one text per iteration, its lines joined
        texts = counted(trace.json_text(iterations), len(iterations), "trace", "iterations", output_to_stdout=True)
        write_lines(texts, sys.stdout)
    else:
        total = len(iterations) * trace.per_iteration
        events = counted(trace.walk(iterations), total, "trace", "events", output_to_stdout=True)
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
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 3 if any document value disagrees or matches no computed event")
    args = parser.parse_args(argv)
    from .report import write_check

    failures = write_check(_load(args.scenario), sys.stdout, strict=args.strict)
    return EXIT_DOCUMENT_DIFFERS if args.strict and failures else EXIT_OK


@command("list")
def _list(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="backprop-stepper list", description="List the bundled scenarios.").parse_args(argv)
    from .report import write_list

    write_list(sys.stdout)
    return EXIT_OK


@contextmanager
def _output(path: str, force: bool, done: str):
    """A stream to write to: standard output for "-", else a new file (an existing one is
    replaced only when asked, --force). `done` is printed once the file is written."""
    if path == "-":
        yield sys.stdout
        return
    try:
        stream = open(path, "w" if force else "x", encoding="utf-8")
    except FileExistsError:
        raise ScenarioError(path, "", "the file exists already; choose another name, "
                                      "or add --force to replace it") from None
    except OSError as error:
        raise ScenarioError(path, "", f"cannot be written ({error.strerror})") from None
    with stream:
        yield stream
    print(done, file=sys.stderr)


@command("gradcheck")
def _gradcheck(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-stepper gradcheck",
        description="Compare every analytic gradient with its central-difference estimate "
        "(L(θ+ε) − L(θ−ε)) / 2ε, for one update step.",
    )
    parser.add_argument("scenario")
    parser.add_argument("--iteration", type=int, default=1, metavar="N")
    parser.add_argument("--step", type=int, default=1, metavar="K",
                        help="update step within the iteration (stochastic mode)")
    args = parser.parse_args(argv)
    from backprop_stepper.core.gradcheck import gradient_check, verdict
    from backprop_stepper.core.numbers import plain

    trace = _load(args.scenario)
    if not 1 <= args.iteration <= trace.iterations:
        parser.error(f"--iteration must be 1..{trace.iterations}")
    if not 1 <= args.step <= len(trace.plan.steps):
        parser.error(f"--step must be 1..{len(trace.plan.steps)}")
    _train_to(trace, args.iteration)
    checks = gradient_check(trace, args.iteration, args.step)
    print(f"{'gradient':<18}{'parameter':<16}{'analytic':>17}{'numerical':>17}{'|difference|':>14}{'relative':>11}")
    for c in checks:
        print(f"{c.symbol:<18}{c.parameter:<16}{plain(c.analytic):>17}{plain(c.numeric):>17}{c.difference:>14.2e}"
              f"{c.relative:>11.1e}  {c.mark}")
    outcome = verdict(checks)
    print("\n".join(outcome.lines))
    return EXIT_NOT_FINITE if outcome.non_finite else EXIT_DISAGREES if outcome.disagreeing else EXIT_OK


def _train_to(trace: Trace, iteration: int) -> None:
    """Compute the iterations before `iteration` (what checking a late one waits for), one at a
    time so a long wait shows its progress."""
    from .progress import counted

    for n in counted(range(1, iteration + 1), iteration, f"training to iteration {iteration:,}", "iterations"):
        trace.training.iteration(n)


# An export is announced when its file will be at least this large; under this many events it
# cannot be, and is not measured.
LARGE_EXPORT_BYTES = 20_000_000
LARGE_EXPORT_EVENTS = 100_000


@command("export")
def _export(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backprop-stepper export",
                                     description="Write a worked solution (Markdown with LaTeX math) "
                                                 "or the trace (JSON).")
    parser.add_argument("scenario")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write ('-' for standard output)")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--iterations", metavar="A-B", help="only these iterations, e.g. 1-3 (default: all)")
    args = parser.parse_args(argv)
    from backprop_stepper.core.export import iteration_range, write_json, write_markdown

    from .progress import counted

    trace = _load(args.scenario)
    first = last = None
    if args.iterations:
        try:
            first, _, last = args.iterations.partition("-")
            first, last = int(first), int(last or first)
        except ValueError:
            parser.error("--iterations takes a number or a range such as 1-3")
    selected = iteration_range(trace, first, last)
    if not len(selected):
        parser.error(f"--iterations must lie within 1..{trace.iterations}")
    _announce_export(trace, selected, args.format)
    markdown = args.format == "markdown"  # Markdown is written event by event, JSON iteration by iteration
    with _output(args.output, args.force, f"wrote {args.output} ({args.format})") as out:
        follow = partial(counted, total=len(selected) * (trace.per_iteration if markdown else 1),
                         description=f"export {args.format}", unit="events" if markdown else "iterations",
                         output_to_stdout=args.output == "-")
        (write_markdown if markdown else write_json)(trace, out, selected, follow)
    return EXIT_OK


def _announce_export(trace: Trace, selected: range, format: str) -> None:
    """Say how many events and about how large the file will be, before a large export."""
    from backprop_stepper.core.export import estimated_bytes
    from backprop_stepper.core.notation import count

    events = len(selected) * trace.per_iteration
    if events < LARGE_EXPORT_EVENTS:  # not worth writing an iteration to find out
        return
    size = estimated_bytes(trace, selected, format == "markdown")
    if size < LARGE_EXPORT_BYTES:
        return
    print(f"exporting {events:,} events ({count(len(selected), 'iteration')} of {trace.per_iteration:,}), "
          f"about {size / 1e6:,.0f} MB of {format.capitalize() if format == 'markdown' else 'JSON'}; "
          f"--iterations A-B exports only some iterations (e.g. --iterations 1-{max(1, len(selected) // 100)})",
          file=sys.stderr)


@command("new")
def _new(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backprop-stepper new",
                                     description="Write a new, valid, commented scenario "
                                                 "with seeded Xavier/Glorot weights.")
    parser.add_argument("--layers", required=True, metavar="N,N,...", help="layer sizes, inputs first: 2,3,1")
    parser.add_argument("--activation", default="sigmoid",
                        help="hidden (and output) activation: sigmoid, tanh, relu, leaky_relu, linear")
    parser.add_argument("--output-activation",
                        help="a different activation for the output layer (softmax goes here only)")
    parser.add_argument("--loss", default="half_squared_error",
                        help="half_squared_error, squared_error, cross_entropy (one-hot targets; output softmax "
                             "unless told otherwise) or binary_cross_entropy (output sigmoid unless told otherwise)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=0.5)
    parser.add_argument("--no-biases", action="store_true")
    parser.add_argument("--title")
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    args = parser.parse_args(argv)
    from backprop_stepper.core.scaffold import new_scenario

    try:
        sizes = [int(n) for n in args.layers.split(",")]
        text = new_scenario(sizes, args.activation, args.output_activation, args.loss, args.seed, args.samples,
                            args.iterations, args.learning_rate, not args.no_biases, args.title,
                            file=args.output if args.output != "-" else "<standard output>")
    except ValueError as error:
        parser.error(str(error) if "invalid literal" not in str(error) else "--layers takes sizes such as 2,3,1")
    with _output(args.output, args.force, f"wrote {args.output}; open it with: backprop-stepper {args.output}") as out:
        out.write(text)
    return EXIT_OK


DEFAULT_MAX_SESSIONS = 40  # a room's worth on a two-core laptop: ~30 MB and a few ms of CPU each


@command("serve")
def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-stepper serve",
        description="Serve the stepper to a room's web browsers: each tab gets its own stepper. "
        "The page needs no internet: everything it loads comes from this server.")
    parser.add_argument("scenario", nargs="?", help="a scenario file or bundled scenario name (default: a picker)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="default 127.0.0.1: this machine only; 0.0.0.0 for the room's network")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--public-url", help="the address browsers use (default: worked out from --host)")
    parser.add_argument("--theme")
    parser.add_argument("--max-sessions", type=int, default=DEFAULT_MAX_SESSIONS, metavar="N",
                        help=f"at most N browser tabs at once (default {DEFAULT_MAX_SESSIONS}, for a laptop); "
                        "the next one is told that the room is full")
    parser.add_argument("--no-fork", action="store_true",
                        help="start a fresh interpreter for each tab instead of forking a started one "
                        "(slower to open; for comparison)")
    args = parser.parse_args(argv)
    if args.max_sessions < 1:
        parser.error("--max-sessions must be at least 1")
    if args.scenario:
        _load(args.scenario)  # a bad file is reported here, not in every browser tab
    app_argv = ([args.scenario] if args.scenario else []) + (["--theme", args.theme] if args.theme else [])
    public_url = args.public_url
    if public_url is None and args.host in ("0.0.0.0", "::", ""):
        # Browsers cannot connect to ws://0.0.0.0: give them this machine's address instead.
        import socket

        public_url = f"http://{socket.gethostbyname(socket.gethostname())}:{args.port}"
    from .room import Room

    Room(app_argv, max_sessions=args.max_sessions, fork=not args.no_fork, host=args.host, port=args.port,
         title="backprop-stepper", public_url=public_url).serve()
    return EXIT_OK


def _open_app(argv: list[str]) -> int:
    from backprop_stepper.core.variants import mistakes

    parser = argparse.ArgumentParser(
        prog="backprop-stepper",
        description="Step through backpropagation one computation at a time.",
        epilog="commands: " + ", ".join(sorted(COMMANDS)) + " (backprop-stepper COMMAND --help)",
    )
    parser.add_argument("scenario", nargs="?", help="a scenario file or bundled scenario name (default: a picker)")
    parser.add_argument("--theme", help="lecture-dark, lecture-light, or any Textual theme (also: TEXTUAL_THEME)")
    parser.add_argument("--no-watch", action="store_true", help="do not reload the scenario when its file changes")
    parser.add_argument("--predict", nargs="?", const="all", metavar="KINDS",
                        help="predict each value before it is revealed; optionally only some kinds: "
                        "forward, loss, errors, derivatives, deltas, gradients, updates (e.g. deltas,gradients)")
    parser.add_argument("--tolerance", type=float, default=None,
                        help="relative tolerance for predictions (default 1e-3)")
    parser.add_argument("--compare", metavar="OPTION",
                        help=f"show a classic-mistake variant beside the values: {mistakes()}")
    args = parser.parse_args(argv)
    predict = None
    if args.predict:  # the learning modes' modules load only when asked for: start-up stays short
        from backprop_stepper.core.predict import kinds_from

        try:
            predict = kinds_from(args.predict)
        except ValueError as error:
            parser.error(str(error))
    if args.compare:
        from backprop_stepper.core.variants import OPTIONS

        if args.compare.partition("=")[0].strip() not in OPTIONS:
            parser.error(f"--compare takes one of {', '.join(f'{k}=…' for k in OPTIONS)}")
    if args.tolerance is not None and not 0 < args.tolerance < 1:
        parser.error("--tolerance must be between 0 and 1 (a relative tolerance)")
    # Everything built until the first frame lasts as long as the app: see tui.launch.
    with collector_paused() as first_frame_shown:
        trace = _load(args.scenario) if args.scenario else None
        if trace is not None and args.compare:
            from backprop_stepper.core.variants import variant

            try:
                variant(trace.scenario, args.compare)
            except ValueError as error:
                parser.error(str(error))
        from .app import StepperApp  # Textual is imported only when the app opens

        app = StepperApp(trace=trace, theme=args.theme, watch=not args.no_watch, predict=predict,
                         tolerance=args.tolerance, compare=args.compare, on_first_frame=first_frame_shown)
        if args.theme and args.theme not in app.available_themes:
            parser.error(f"unknown theme {args.theme!r}; choose from {', '.join(sorted(app.available_themes))}")
        app.run()
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
