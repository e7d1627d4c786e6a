"""The TUI's controllers: what comes next when the teller acts, and every talk with the history store.

Screens only draw and post messages; CoachApp routes each message to a controller, which decides
which screen comes next. Each module here imports only those listed before it.

    session   one play of a scenario: the engine Session, the order choices show in, the recorder
    stack     showing a main screen on Textual's screen stack
    link      the history store: StoreLink (teller, Outbox, due count, sync line), open_store
    practice  library -> briefing -> conversation -> feedback -> debrief; leaving; resuming
    review    spaced review (r, `coach review`)
    check     the pre-shift check (c, `coach check`)
    store     at start: who is practising, the interrupted session; History (h)
"""
