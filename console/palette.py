"""The command palette lists the pattern functions with their one-line docs; picking one inserts it."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dsl.library import LIBRARY
from dsl.values import Func


def _entries() -> list[tuple[str, str]]:
    return sorted((name, f.doc) for name, f in LIBRARY.items() if isinstance(f, Func))


class FunctionsProvider(Provider):
    async def discover(self) -> Hits:
        for name, doc in _entries():
            yield DiscoveryHit(name, partial(self._insert, name), help=doc)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, doc in _entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._insert, name), help=doc)

    def _insert(self, name: str) -> None:
        self.app.editor.insert(name + " ")
