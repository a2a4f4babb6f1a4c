"""The engine room: the only code that knows Whoosh (storage, lock, writers, readers, compiling a
query plan to Whoosh queries, ranking from postings).

Importing it makes every pickle Whoosh reads from an index go through an allow-list
(`untrusted.install()`): an index file is data, never code.
"""

from . import untrusted

untrusted.install()
