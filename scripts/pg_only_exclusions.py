"""Move ExclusionConstraints out of a generated migration's CreateModel into PostgreSQL-only ops.

makemigrations writes exclusion constraints into CreateModel options, which SQLite cannot
create. Run this on a freshly generated migration:
``python scripts/pg_only_exclusions.py app/migrations/000N_name.py``.
"""

import re
import sys

MARK = "django.contrib.postgres.constraints.ExclusionConstraint("


def _balanced(text: str, start: int) -> int:
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError("unbalanced parentheses")


def main(path: str) -> None:
    with open(path) as handle:
        source = handle.read()
    moved = []
    while MARK in source:
        start = source.index(MARK)
        end = _balanced(source, start + len(MARK) - 1)
        constraint = source[start:end]
        create_model = source.rfind("migrations.CreateModel(", 0, start)
        model_name = re.search(r"name='(\w+)'", source[create_model:]).group(1).lower()
        # Drop the constraint and the separator next to it.
        before, after = source[:start], source[end:]
        if before.rstrip().endswith(","):
            before = before.rstrip()[:-1]
        elif after.lstrip().startswith(","):
            after = after.lstrip()[1:].lstrip()
        source = before + after
        moved.append((model_name, constraint))
    if not moved:
        return
    ops = "".join(
        f"        studio.constraints.AddConstraintOnPostgres(\n"
        f"            model_name='{name}',\n            constraint={constraint},\n        ),\n"
        for name, constraint in moved
    )
    tail = source.rstrip()
    assert tail.endswith("]"), "expected the operations list to close the file"
    source = tail[:-1].rstrip() + "\n" + ops + "    ]\n"
    if "import studio.constraints" not in source:
        source = source.replace(
            "from django.db import migrations",
            "import studio.constraints\nfrom django.db import migrations",
            1,
        )
    with open(path, "w") as handle:
        handle.write(source)


if __name__ == "__main__":
    main(sys.argv[1])
