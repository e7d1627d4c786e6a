"""The TUI's controllers: what comes next when the teller acts, and every talk with the history store.

    session   one play of a scenario: the engine Session, the order choices show in, the recorder
    link      the history store: StoreLink (teller, Outbox), open_store
"""
