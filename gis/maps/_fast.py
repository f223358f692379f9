"""Faster rendering of folium elements that carry large data (GeoJSON, image overlays).

branca renders a macro element by wrapping the text it produced (the element's JavaScript, with
the whole GeoJSON inside) in a new ``Element``, which compiles that text as a Jinja template: a
slow and useless step for hundreds of kilobytes of data. :func:`fast` gives a folium class whose
rendered parts are kept as plain text instead. The HTML produced is the same.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from branca.element import Element, Figure, MacroElement

__all__ = ["fast"]


class _Text:
    """A stand-in for a compiled template that returns its text as it is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, **_kwargs: Any) -> str:
        return self.text


class _TextElement(Element):
    def __init__(self, text: str) -> None:
        super().__init__()
        self._template = _Text(text)  # type: ignore[assignment]


class _FastMacro(MacroElement):
    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        module = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html),
                             ("script", figure.script)):
            macro = module.get(part)
            if macro is not None:
                target.add_child(_TextElement(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


@cache
def fast(cls: type) -> type:
    """A subclass of folium class ``cls`` that renders without recompiling its output."""
    return type(f"Fast{cls.__name__}", (cls, _FastMacro), {})
