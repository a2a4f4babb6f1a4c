"""The engine room: the only code that knows Whoosh (storage, lock, writers, readers, compiling a
query plan to Whoosh queries, ranking from postings)."""
