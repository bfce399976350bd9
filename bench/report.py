"""What every benchmark prints: progress as it goes (`say`), and at its end one line per target,
`<target>: <measured> (target <op> <value>) PASS|FAIL`, as `make bench` promises a script reading it."""

__all__ = ["TARGETS", "say", "target"]

TARGETS: list[tuple[str, bool]] = []  # (line, passed), in the order measured; each benchmark is its own process


def say(*args):
    print(*args, flush=True)


def target(name, measured, op, value, passed, fmt="{:.2f}"):
    shown = fmt.format(measured) if isinstance(measured, (int, float)) else str(measured)
    TARGETS.append((f"{name}: {shown} (target {op} {value}) {'PASS' if passed else 'FAIL'}", passed))
