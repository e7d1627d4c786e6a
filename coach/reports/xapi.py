"""Attempts as xAPI 1.0.3 statements, for a learning management system's record store (LRS).

Per finished attempt, in order: `initialized` (the scenario), one `answered` per step (the step as a
cmi.interaction of type choice, result.response the choice id), `completed`, then `passed` or
`failed` against the pass mark with result.score {scaled, raw, min, max} and an ISO 8601 duration.

Identifiers are deterministic, so exporting the same history twice gives the same statements and an
LRS stores them once: context.registration is a UUID 5 of the attempt's identity (teller, scenario
and its sha256, start and end to the microsecond, score, choices: the same in every copy of the
database, wherever the file was moved, where a file path or row id would not be) and each statement
id a UUID 5 of the registration and the statement's place in it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import quote, urlsplit

XAPI_VERSION = "1.0.3"
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
VERBS = ("initialized", "answered", "completed", "passed", "failed")
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
#: The namespace of coach's UUID 5 identifiers (a fixed, random UUID).
NAMESPACE = uuid.UUID("5b0e3a7c-2f1d-4c8e-9a61-3d7f0c2b9e41")
LANG_TAGS = {"zh": "zh-CN", "en": "en-US"}
DEFAULT_HOMEPAGE = "https://coach.invalid"


def verb(name: str) -> dict:
    return {"id": VERB_BASE + name, "display": {"en-US": name}}


def check_homepage(url: str) -> str | None:
    """None if `url` can be an account home page (an absolute http(s) URL), else the problem."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return f"--homepage must be an absolute http(s) URL such as https://lms.example.com, not '{url}'"
    return None


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration to the hundredth of a second: PT1H2M3.5S, PT0S."""
    cs = max(0, round(float(seconds) * 100))
    h, rest = divmod(cs, 360000)
    m, rest = divmod(rest, 6000)
    s = rest / 100
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or out == "PT":
        out += f"{s:.2f}".rstrip("0").rstrip(".") + "S"
    return out


def timestamp(text: str | None) -> str | None:
    """A stored timestamp as ISO 8601 with a time zone (stored times are UTC)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def _seconds_between(a: str | None, b: str | None) -> float | None:
    try:
        return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()
    except (TypeError, ValueError):
        return None


def _langmap(text, fallback: str) -> dict[str, str]:
    """A localized text as an xAPI language map."""
    if text is None:
        return {}
    if isinstance(text, str):
        return {LANG_TAGS.get(fallback, fallback): text}
    return {LANG_TAGS.get(k, k): v for k, v in text.items() if v}


class Exporter:
    def __init__(self, homepage: str = DEFAULT_HOMEPAGE, pass_mark: int = 80,
                 scenario_for: Callable[[str, str], object | None] | None = None) -> None:
        self.homepage = homepage.rstrip("/")
        self.pass_mark = pass_mark
        self.scenario_for = scenario_for or (lambda sid, sha: None)
        self.missing: set[str] = set()  # scenario ids exported without their file

    def scenario_iri(self, sid: str) -> str:
        return f"{self.homepage}/scenarios/{quote(sid, safe='')}"

    def step_iri(self, sid: str, step: str) -> str:
        return f"{self.scenario_iri(sid)}/steps/{quote(step, safe='')}"

    def statements(self, attempt: dict) -> list[dict]:
        sid, lang = attempt["scenario"], attempt.get("lang") or "en"
        scenario = self.scenario_for(sid, attempt.get("sha256", ""))
        if scenario is None:
            self.missing.add(sid)
        registration = str(uuid.uuid5(NAMESPACE, "registration\x1f" + attempt["key"]))
        actor = {"objectType": "Agent", "name": attempt["teller"],
                 "account": {"homePage": self.homepage, "name": attempt["teller"]}}
        scenario_def: dict = {"type": SIMULATION}
        if scenario is not None:
            scenario_def["name"] = _langmap(scenario.title, lang)
        else:
            scenario_def["name"] = {"en-US": sid}
        scenario_obj = {"objectType": "Activity", "id": self.scenario_iri(sid), "definition": scenario_def}
        context = {"registration": registration, "platform": "coach",
                   "language": LANG_TAGS.get(lang, lang)}
        parent = {"contextActivities": {"parent": [{"objectType": "Activity", "id": self.scenario_iri(sid)}]}}
        out: list[dict] = []

        def add(name: str, obj: dict, when: str | None, result: dict | None = None, extra_ctx: dict | None = None):
            st = {
                "id": str(uuid.uuid5(NAMESPACE, f"{registration}\x1f{len(out)}\x1f{name}")),
                "actor": actor, "verb": verb(name), "object": obj,
                "context": {**context, **(extra_ctx or {})},
                "timestamp": when or timestamp(attempt.get("ended")) or timestamp(attempt["started"]),
            }  # no "version": the spec leaves it to the LRS (the X-Experience-API-Version header says 1.0.3)
            if result:
                st["result"] = result
            out.append(st)

        add("initialized", scenario_obj, timestamp(attempt["started"]))
        for x in attempt["answers"]:
            step = scenario.steps.get(x["step"]) if scenario is not None else None
            definition: dict = {"type": INTERACTION, "interactionType": "choice"}
            result: dict = {"response": f"choice-{x['choice'] + 1}"}
            if step is not None and step.choices and x["choice"] < len(step.choices):
                name = _langmap(step.customer, lang) or _langmap(step.situation, lang) or {"en-US": x["step"]}
                definition["name"] = name
                if step.situation is not None and step.customer is not None:
                    definition["description"] = _langmap(step.situation, lang)
                definition["choices"] = [
                    {"id": f"choice-{i + 1}", "description": _langmap(c.text, lang) or {"en-US": f"choice {i + 1}"}}
                    for i, c in enumerate(step.choices)
                ]
                best = max(c.total for c in step.choices)
                correct = [f"choice-{i + 1}" for i, c in enumerate(step.choices) if c.total == best]
                definition["correctResponsesPattern"] = correct
                result["success"] = result["response"] in correct
            else:
                definition["name"] = {"en-US": x["step"]}
            if x.get("seconds") is not None:
                result["duration"] = iso_duration(x["seconds"])
            add("answered", {"objectType": "Activity", "id": self.step_iri(sid, x["step"]),
                             "definition": definition}, timestamp(x.get("at")), result, parent)

        overall = attempt.get("overall")
        raw = 0 if overall is None else max(0, min(100, int(overall)))
        score = {"scaled": raw / 100, "raw": raw, "min": 0, "max": 100}
        duration = _seconds_between(attempt["started"], attempt.get("ended"))
        done: dict = {"score": score, "completion": True}
        if duration is not None:
            done["duration"] = iso_duration(duration)
        ended = timestamp(attempt.get("ended"))
        add("completed", scenario_obj, ended, dict(done))
        passed = raw >= self.pass_mark and not attempt.get("critical")  # a critical mistake fails
        add("passed" if passed else "failed", scenario_obj, ended, {**done, "success": passed})
        return out
