"""`coach new ID`: write a commented scenario skeleton into the user's scenario folder (or --out).

Exit status: 0 written, 1 the file exists already (never overwritten) or cannot be written,
2 an invalid id or language list.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", metavar="ID", help="the scenario id: lower case letters, digits and dashes")
    p.add_argument("--type", choices=("agitated", "confused", "requesting"), default="agitated",
                   help="the customer type, which shapes the steps (default: agitated)")
    p.add_argument("--lang", default="zh,en", metavar="zh,en", help="languages of the texts (default: zh,en)")
    p.add_argument("--out", metavar="PATH",
                   help="a .yaml file to write, or a folder to write ID.yaml into, made if missing "
                        "(default: your scenario folder)")


def run(args: argparse.Namespace) -> int:
    from coach.library import SUFFIXES, user_dir
    from coach.skeleton import ID_MAX, SCHEMA_FILE, parse_langs, skeleton, valid_id

    if not valid_id(args.id):
        print(f"coach new: '{args.id}' is not a valid scenario id: use lower case letters, digits and dashes, "
              f"starting with a letter or digit, at most {ID_MAX} characters (e.g. atm-card-kept)", file=sys.stderr)
        return 2
    langs = parse_langs(args.lang)
    if langs is None:
        print(f"coach new: --lang takes zh, en or zh,en, not '{args.lang}'", file=sys.stderr)
        return 2

    if args.out:
        target = Path(args.out).expanduser()
        # a folder: one that exists, or a path ending in "/" or without .yaml/.yml (made below);
        # before, `--out missing/dir/` wrote a file named "dir"
        if target.is_dir() or args.out.endswith(("/", os.sep)) or target.suffix not in SUFFIXES:
            if target.exists() and not target.is_dir():
                print(f"coach new: --out {args.out} is a file, not a folder; give a folder or a .yaml file",
                      file=sys.stderr)
                return 1
            target = target / f"{args.id}.yaml"
    else:
        target = user_dir() / f"{args.id}.yaml"
    if target.exists():
        print(f"coach new: {target} exists already; it was left as it is (choose another id or --out)",
              file=sys.stderr)
        return 1
    text = skeleton(args.id, args.type, langs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(text)
    except FileExistsError:
        print(f"coach new: {target} exists already; it was left as it is", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"coach new: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Wrote {target}")
    schema_path = target.parent / SCHEMA_FILE
    if not schema_path.exists():  # the modeline points here: editor completion works at once
        from coach.commands.schema import schema

        try:
            with open(schema_path, "x", encoding="utf-8") as fh:
                fh.write(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n")
            print(f"Wrote {schema_path} (the JSON Schema, for editor completion)")
        except OSError:
            pass  # completion is a convenience; the scenario is written
    print(f"Next: replace the TODO texts, then `coach validate {target}` and `coach play {target} --best`.")
    return 0
