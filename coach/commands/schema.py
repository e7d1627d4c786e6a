"""`coach schema`: the JSON Schema of the scenario format, for editor completion.

Point an editor at it, e.g. with a first line `# yaml-language-server: $schema=scenario.schema.json`.
"""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def schema() -> dict:
    from coach.scenario.model import Scenario

    body = Scenario.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "coach scenario",
        **{k: v for k, v in body.items() if k != "title"},
    }


def run(args: argparse.Namespace) -> int:
    text = json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
    from coach.commands._output import emit

    return emit(text, args.output, "coach schema")
