"""Navigation by domain. Each domain registers its section; pages show what the user may use."""

from __future__ import annotations

from dataclasses import dataclass, field

from boardline.core.auth import Actor, Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    perm: Perm | None = None


@dataclass(frozen=True)
class NavSection:
    title: str
    items: list[NavItem] = field(default_factory=list)
    order: int = 50  # the factory's flow: NPI 10, materials 20, production 30 … admin 90


_sections: list[NavSection] = []


def register(section: NavSection) -> None:
    """Add a domain's section; a section of the same title gains the new items."""
    for index, existing in enumerate(_sections):
        if existing.title == section.title:
            known = {item.href for item in existing.items}
            added = [item for item in section.items if item.href not in known]
            _sections[index] = NavSection(existing.title, existing.items + added, existing.order)
            return
    _sections.append(section)


def sections_for(actor: Actor) -> list[NavSection]:
    """The sections and items this actor may open, in registration order."""
    visible = []
    for section in sorted(_sections, key=lambda s: s.order):
        items = [i for i in section.items if i.perm is None or actor.can(i.perm)]
        if items:
            visible.append(NavSection(section.title, items, section.order))
    return visible
