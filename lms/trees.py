"""Walking a tree held as ``{node: parent}`` (teams within teams): one rule for every caller.
Both walks stop at a loop, so bad data cannot hang a page."""

from collections import defaultdict


def tree_ancestors(*, parent_of, node):
    """``node`` and every node above it."""
    found = set()
    while node is not None and node not in found:
        found.add(node)
        node = parent_of.get(node)
    return found


def tree_descendants(*, parent_of, node):
    """``node`` and every node below it, to any depth."""
    children = defaultdict(list)
    for child, parent in parent_of.items():
        children[parent].append(child)
    found, frontier = {node}, [node]
    while frontier:
        frontier = [
            child for parent in frontier for child in children[parent] if child not in found
        ]
        found.update(frontier)
    return found
