"""The ``ngc-rules`` command: a demo, and training runs with plots, checkpoints and
resume."""
import sys

from .demo import run_demo
from .parser import build_parser
from .streams import Tolerant
from .train import run_train


def main(argv=None):
    """Run the command; returns its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Tolerant(sys.stdout), Tolerant(sys.stderr)
    try:
        if args.command == "demo":
            run_demo(args.out, args.epochs, args.seed, progress=not args.quiet)
            return 0
        return run_train(args, parser.subcommands["train"])
    except (OSError, ValueError, TypeError) as error:
        print(f"ngc-rules: error: {error}", file=sys.stderr)
        return 1
    except MemoryError as error:
        print(f"ngc-rules: error: out of memory: {error or 'an allocation failed'}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # outside training, where nothing is left to save
        print("ngc-rules: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout, sys.stderr = streams


__all__ = ["main", "build_parser", "run_demo", "run_train"]
