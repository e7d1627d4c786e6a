"""The TUI's controllers: what comes next when the teller acts, and every talk with the history store.

Screens (coach/tui/screens/) only draw and post messages. CoachApp (coach/tui/app.py) builds the
controllers and routes each screen's messages to one of them; a controller decides which screen
comes next, drives the play (`session.SessionController`) and reads or writes the store (`link`).

A module here may import the modules listed before it, the screens and widgets, and what lies below
the TUI; never one listed after it, never the app (tests/test_architecture.py checks both):

    session   one play of a scenario: the engine Session, the order choices show in, the recorder
    stack     showing a main screen on Textual's screen stack
    link      the history store: StoreLink (teller, Outbox, due count, sync line), open_store
    practice  library -> briefing -> conversation -> feedback -> debrief; leaving; resuming
    review    spaced review (r, `coach review`)
    check     the pre-shift check (c, `coach check`)
    store     at start: who is practising, the interrupted session; History (h)

They are imported with the app; what they need only once the teller acts (screens, the engine, the
store's review cards) they import then, so the first paint does not wait for it.
"""
