"""The course of a generated case: screening, assignments, the proposal, the contract, an extension and the end,
as timeline events and assignment rows that agree with each other (bench/fill_cases.py)."""

import json
from typing import NamedTuple

from fill_random import Draws, Picker
from fill_vocabulary import DECLINE_REASONS, ENDING_RESULTS, ENDINGS, EXTENSION_REASONS, NOT_ELIGIBLE_NOTES, REFERRED

from mediation.domain.case_fields import Channel
from mediation.domain.eligibility import ExclusionQuestion


def _json_str(value) -> str:
    return "null" if value is None else f'"{value}"'


def _json_int(value) -> str:
    return "null" if value is None else str(value)


class Course(NamedTuple):
    """Where a case's timeline left it: its state and the case fields the steps filled, with the rows."""

    state: str
    outcome: str | None
    ground: str | None
    terminated: str | None
    closing_reason: str | None
    referred: str | None
    excl: tuple
    note: str | None
    sent: str | None
    accepted: str | None
    signed_on: str | None
    deadline_on: str | None
    ext_days: int
    ext_reason: str | None
    events: list
    assignments: list


class Timeline:
    """Timelines of cases, events and assignments numbered from 1 across the fill; the event JSON's fast path is
    checked against json.dumps."""

    def __init__(self, draws: Draws, dates: list[str], span: int, org: dict):
        self.rnd, self.ri, self.pick = draws.rnd, draws.ri, draws.pick
        self.dates, self.span = dates, span
        self.mediator_pick = {}
        for rid in org["regions"]:
            active = {m["id"]: (2.0 if m["user_id"] else 1.0) for m in org["mediators"]
                      if m["region_id"] == rid and m["status"] == "active"}
            self.mediator_pick[rid] = Picker(draws.rng, active)
        self.ending_pick = Picker(draws.rng, ENDINGS)
        self.event_id = self.assignment_id = 0
        self.blocking = [q.value for q in ExclusionQuestion]
        self.channel_json = {c: f'{{"channel": "{c.value}"}}' for c in Channel}
        assert self.json_event("assigned", 5, None) == json.dumps({"lead": 5, "co": None})
        assert self.json_event("closed", "x", None, None) == json.dumps(
            {"outcome": "x", "ground": None, "terminated_on": None})

    def json_event(self, kind: str, *values) -> str:
        if kind == "assigned":
            return f'{{"lead": {values[0]}, "co": {_json_int(values[1])}}}'
        if kind == "closed":
            return (f'{{"outcome": "{values[0]}", "ground": {_json_str(values[1])}, '
                    f'"terminated_on": {_json_str(values[2])}}}')
        raise ValueError(kind)

    def run(self, case_id: int, day: int, region_id: int, channel: Channel, actor: int) -> Course:
        """The case's course from its registration on `day`, each step by `actor`; nothing after today."""
        rnd, ri, pick, today, dates = self.rnd, self.ri, self.pick, self.span, self.dates
        events, assignments = [], []
        clock = [ri(0, 500)]  # minutes after 09:00 Almaty (04:00 UTC), growing along the timeline
        event_id = self.event_id

        def stamp(d: int) -> str:
            m = clock[0] = min(clock[0] + ri(1, 40), 1199)
            return f"{dates[d]} {4 + m // 60:02d}:{m % 60:02d}:{ri(0, 59):02d}.000000"

        def event(d, kind, from_state, to_state, data="{}", reason=None):
            nonlocal event_id
            event_id += 1
            events.append((event_id, case_id, stamp(d), actor, kind, from_state, to_state, reason, data))

        def close_assigned(d, from_state, data):
            """The case closes on day d with mediators on it: their current assignments end then."""
            event(d, "closed", from_state, "closed", data)
            ended = stamp(d)
            for row in current:
                row[7] = ended

        # The timeline: each step a few days after the previous one, nothing after today; a small share of
        # cases stops at each stage whatever its age (forgotten or stuck cases exist in every registry).
        state = "registered"
        outcome = ground = terminated = closing_reason = referred = note = None
        excl = (None, None, None, None)
        sent = accepted = signed_on = deadline_on = ext_reason = None
        ext_days = 0
        event(day, "registered", None, "registered", self.channel_json[channel])
        while True:
            s1 = day + pick((0, 0, 1, 1, 2, 3))
            if s1 > today or rnd() < 0.002:
                break
            if rnd() < 0.015:  # withdrawn or sent elsewhere at once
                when = s1 + ri(0, 5)
                if when <= today:
                    outcome = pick(("withdrawn", "referred"))
                    referred = pick(REFERRED) if outcome == "referred" else None
                    event(when, "closed", state, "closed", self.json_event("closed", outcome, None, None))
                    state = "closed"
                break
            event(s1, "screening_started", "registered", "screening")
            state = "screening"
            s2 = s1 + pick((0, 0, 1, 2, 3, 5))
            if s2 > today or rnd() < 0.003:
                break
            if rnd() < 0.06:  # Art. 1 exclusion: closed as not eligible
                q = int(rnd() * 4)
                excl = (q == 0, q == 1, q == 2, q == 3)
                note = closing_reason = NOT_ELIGIBLE_NOTES[q]
                referred = pick(REFERRED) if rnd() < 0.6 else None
                outcome = "not_eligible"
                event(s2, "closed_not_eligible", "screening", "closed",
                      f'{{"blocking": ["{self.blocking[q]}"], "referred_to": {"true" if referred else "false"}}}',
                      note)
                state = "closed"
                break
            excl = (False, False, False, False)
            event(s2, "screening_passed", "screening", "awaiting_assignment")
            state = "awaiting_assignment"
            if rnd() < 0.02:
                when = s2 + ri(1, 10)
                if when <= today:
                    outcome = "withdrawn"
                    event(when, "closed", state, "closed", self.json_event("closed", outcome, None, None))
                    state = "closed"
                break
            a = s2 + ri(1, 7)
            if a > today or rnd() < 0.003:
                break
            mediator_pick = self.mediator_pick[region_id]
            lead = mediator_pick()
            co = mediator_pick() if rnd() < 0.2 else None
            if co == lead:
                co = None
            current = []
            for mid, role in ((lead, "lead"), (co, "co")):
                if mid is not None:
                    self.assignment_id += 1
                    current.append([self.assignment_id, case_id, mid, role, "proposed", stamp(a), actor, None, None])
            event(a, "assigned", "awaiting_assignment", "assigned", self.json_event("assigned", lead, co))
            state = "assigned"
            if rnd() < 0.03:  # the mediator declines; another one is assigned
                d = a + ri(1, 4)
                if d > today:
                    assignments += current
                    break
                reason = pick(DECLINE_REASONS)
                ended = stamp(d)
                for row in current:
                    row[4], row[7], row[8] = "declined", ended, reason
                assignments += current
                event(d, "declined", "assigned", "awaiting_assignment", reason=reason)
                state = "awaiting_assignment"
                a = d + ri(0, 3)
                if a > today:
                    break
                new_lead = mediator_pick()
                if new_lead in (lead, co):
                    new_lead = mediator_pick()
                self.assignment_id += 1
                current = [[self.assignment_id, case_id, new_lead, "lead", "proposed", stamp(a), actor, None, None]]
                event(a, "assigned", "awaiting_assignment", "assigned", self.json_event("assigned", new_lead, None))
                state = "assigned"
            assignments += current
            if rnd() < 0.5:  # a written proposal to mediate (Art. 19)
                sent_day = a + ri(0, 2)
                if sent_day > today:
                    break
                accepted_day = sent_day + ri(1, 9) if rnd() < 0.95 else None
                if accepted_day is not None and accepted_day > today:
                    accepted_day = None
                sent = dates[sent_day]
                accepted = dates[accepted_day] if accepted_day is not None else None
                event(accepted_day if accepted_day is not None else sent_day, "proposal", "assigned", "assigned",
                      f'{{"sent_on": "{sent}", "accepted_on": {_json_str(accepted)}}}')
                if accepted_day is None:
                    if sent_day + 10 < today and rnd() < 0.7:  # lapsed: the parties never answered
                        when = sent_day + ri(11, 20)
                        if when <= today:
                            outcome = "withdrawn"
                            close_assigned(when, "assigned", self.json_event("closed", outcome, None, None))
                            state = "closed"
                    break
                signed = max(a + ri(1, 10), accepted_day)
            else:
                signed = a + ri(1, 10)
            if rnd() < 0.04:  # the parties do not come to sign
                when = a + ri(3, 15)
                if when <= today:
                    outcome = pick(("withdrawn", "withdrawn", "referred"))
                    referred = pick(REFERRED) if outcome == "referred" else None
                    close_assigned(when, "assigned", self.json_event("closed", outcome, None, None))
                    state = "closed"
                break
            if signed > today or rnd() < 0.003:
                break
            deadline = signed + 30
            signed_on = dates[signed]
            for row in current:
                row[4] = "accepted"
            event(signed, "contract_signed", "assigned", "in_mediation",
                  f'{{"signed_on": "{signed_on}", "deadline": "{dates[deadline]}"}}')
            state = "in_mediation"
            ending = self.ending_pick()
            if rnd() < 0.12:  # one extension, at most 30 days, before the term runs out
                ext_day = signed + ri(20, 29)
                if ext_day <= today:
                    ext_days = ri(7, 30)
                    deadline += ext_days
                    ext_reason = pick(EXTENSION_REASONS)
                    event(ext_day, "extended", "in_mediation", "in_mediation",
                          f'{{"days": {ext_days}, "deadline": "{dates[deadline]}"}}', ext_reason)
            deadline_on = dates[deadline]
            if rnd() < 0.003:  # forgotten: stays in mediation, overdue once the deadline passes
                break
            if ending == "expired":
                end_day = deadline
                closed_day = deadline + ri(1, 5)
            else:
                end_day = signed + ri(3, deadline - signed)
                closed_day = end_day + pick((0, 0, 1, 2))
            if closed_day > today:
                break
            outcome, ground = ENDING_RESULTS[ending]
            terminated = dates[end_day]
            close_assigned(closed_day, "in_mediation", self.json_event("closed", outcome, ground, terminated))
            state = "closed"
            break
        self.event_id = event_id
        return Course(state, outcome, ground, terminated, closing_reason, referred, excl, note, sent, accepted,
                      signed_on, deadline_on, ext_days, ext_reason, events, [tuple(a) for a in assignments])
