"""The design's diagram written out by hand, and a path to every state: shared by the table tests."""

# How to reach each state from the start: (who, action) with who "S" (sender) or "R" (receiver).
PATHS = {
    "new": [],
    "invited": [("S", "invite")],
    "later": [("S", "invite"), ("R", "later")],
    "declined": [("S", "invite"), ("R", "decline")],
    "withdrawn": [("S", "invite"), ("S", "withdraw")],
}
_ROUND = [("S", "send"), ("R", "mirror"), ("S", "got_it"), ("R", "ask_more"), ("S", "thats_all"), ("R", "summarize"),
          ("S", "confirm_summary"), ("R", "validate"), ("R", "empathize"), ("S", "confirm_feeling"),
          ("R", "finish"), ("S", "skip"), ("R", "skip")]
_STATES_ALONG = ["sending", "mirroring", "checking", "asking", "more", "summary", "summary_check", "validating",
                 "empathizing", "empathy_check", "switch", "closing", "closing_receiver", "done"]
for _i, _state in enumerate(_STATES_ALONG):
    PATHS[_state] = [("S", "invite"), ("R", "accept"), *_ROUND[:_i]]
PATHS["paused"] = PATHS["checking"] + [("R", "pause")]
PATHS["nudged"] = PATHS["paused"] + [("S", "nudge")]
PATHS["ended"] = PATHS["paused"] + [("S", "end")]

# The design's diagram, written out by hand: (state, action, role) -> next state. Nothing else is allowed.
ALLOWED = {
    ("new", "invite", "S"): "invited",
    **{(s, a, "R"): to for s in ("invited", "later")
       for a, to in (("accept", "sending"), ("later", "later"), ("decline", "declined"))},
    ("invited", "withdraw", "S"): "withdrawn",
    ("later", "withdraw", "S"): "withdrawn",
    ("sending", "send", "S"): "mirroring",
    ("mirroring", "mirror", "R"): "checking",
    ("checking", "got_it", "S"): "asking",
    ("asking", "ask_more", "R"): "more",
    ("checking", "not_quite", "S"): "mirroring",
    ("more", "add_more", "S"): "mirroring",
    ("more", "thats_all", "S"): "summary",
    ("summary", "summarize", "R"): "summary_check",
    ("summary_check", "confirm_summary", "S"): "validating",
    ("summary_check", "correct_summary", "S"): "summary",
    ("validating", "validate", "R"): "empathizing",
    ("empathizing", "empathize", "R"): "empathy_check",
    ("empathy_check", "confirm_feeling", "S"): "switch",
    ("empathy_check", "correct_feeling", "S"): "switch",
    ("switch", "switch", "R"): "sending",
    ("switch", "finish", "R"): "closing",
    ("closing", "appreciate", "S"): "closing_receiver",
    ("closing", "skip", "S"): "closing_receiver",
    ("closing_receiver", "appreciate", "R"): "done",
    ("closing_receiver", "skip", "R"): "done",
    **{(s, "pause", who): "paused" for s in _STATES_ALONG[:-1] for who in "SR"},
    # The break is Bob's (R): only he resumes; Alice may once say she is ready; either may end the dialogue.
    ("paused", "resume", "R"): "checking",
    ("paused", "nudge", "S"): "nudged",
    ("paused", "end", "S"): "ended",
    ("paused", "end", "R"): "ended",
    ("nudged", "resume", "R"): "checking",
    ("nudged", "end", "S"): "ended",
    ("nudged", "end", "R"): "ended",
}
