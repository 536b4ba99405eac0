"""Disclosure control: primary and secondary secrecy over hierarchies and breakdowns.

Examples first (the threshold rule and its presets, the choice of complements, undefined cells,
cells that count no persons, a hierarchy worked out by hand), then the properties that make it
safe and predictable: no group is left with exactly one suppressed cell, so an attacker who
solves the groups as equations recovers nothing; primary secrecy hits exactly the small counts;
a higher threshold only suppresses more; the result depends neither on the order of the groups
nor on anything but its inputs.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from territoires.disclosure import (
    DEFAULT_THRESHOLD,
    THRESHOLDS,
    Cell,
    CellStatus,
    Group,
    protect,
)

PUBLISHED = CellStatus.PUBLISHED
PRIMARY = CellStatus.PRIMARY
SECONDARY = CellStatus.SECONDARY
UNDEFINED = CellStatus.UNDEFINED
SUPPRESSED = frozenset({PRIMARY, SECONDARY})

Table = tuple[dict[Hashable, Cell], list[Group]]


def persons(**counts: int) -> dict[Hashable, Cell]:
    """Cells counting persons, by key."""
    return {key: Cell((n,)) for key, n in counts.items()}


# -- primary secrecy -------------------------------------------------------------------------------


def test_counts_from_1_to_10_are_suppressed_at_the_default_threshold() -> None:
    """At 11, counts 1 to 10 are primary; 0 (it reveals no one) and 11 are published."""
    cells = {n: Cell((n,)) for n in range(13)}
    statuses = protect(cells, [])
    assert DEFAULT_THRESHOLD == 11
    assert [n for n, status in statuses.items() if status is PRIMARY] == list(range(1, 11))
    assert statuses[0] is statuses[11] is statuses[12] is PUBLISHED


@pytest.mark.parametrize(("name", "threshold"), sorted(THRESHOLDS.items()))
def test_each_preset_publishes_its_threshold_and_hides_one_less(name: str, threshold: int) -> None:
    """A preset is a threshold: a count one below it is primary, the threshold itself published."""
    cells = {"below": Cell((threshold - 1,)), "at": Cell((threshold,))}
    statuses = protect(cells, [], threshold=THRESHOLDS[name])
    assert statuses == {"below": PRIMARY, "at": PUBLISHED}


def test_the_presets_are_the_documented_french_rules() -> None:
    """The presets carry the thresholds of domain.md §6, and the default is the DGFiP/CASD one."""
    assert THRESHOLDS["insee_entreprises"] == 3
    assert THRESHOLDS["dgfip"] == THRESHOLDS["casd"] == DEFAULT_THRESHOLD == 11
    assert THRESHOLDS["cnil_sniiram"] == 20
    assert sorted(THRESHOLDS.values()) == [3, 5, 10, 11, 11, 20]


def test_a_rate_is_suppressed_when_its_numerator_or_its_denominator_is_small() -> None:
    """A share of persons is primary if either count is in 1..threshold-1."""
    cells = {
        "small numerator": Cell((4, 40)),
        "small denominator": Cell((0, 7)),
        "both large": Cell((12, 40)),
        "nobody in the numerator": Cell((0, 40)),
    }
    assert protect(cells, []) == {
        "small numerator": PRIMARY,
        "small denominator": PRIMARY,
        "both large": PUBLISHED,
        "nobody in the numerator": PUBLISHED,
    }


def test_cells_that_count_no_persons_are_never_suppressed() -> None:
    """Amounts in euros (no counts) are published, or undefined, whatever the threshold."""
    cells = {"euros": Cell(()), "euros per person over nobody": Cell((), defined=False)}
    assert protect(cells, [], threshold=1_000) == {
        "euros": PUBLISHED,
        "euros per person over nobody": UNDEFINED,
    }


# -- secondary secrecy -----------------------------------------------------------------------------


def test_the_smallest_non_zero_part_is_the_complement_not_a_zero() -> None:
    """With one small part, the smallest published part with persons is hidden, not an empty one."""
    cells = persons(total=50, women=4, men=30, other=16, unspecified=0)
    statuses = protect(cells, [Group("total", ("women", "men", "other", "unspecified"))])
    assert statuses == {
        "total": PUBLISHED,
        "women": PRIMARY,
        "men": PUBLISHED,
        "other": SECONDARY,
        "unspecified": PUBLISHED,
    }


def test_the_total_is_hidden_rather_than_an_empty_part() -> None:
    """When every other part is zero the total is hidden: hiding a zero would protect nothing."""
    # total − 0 would give the small part away however the zero is marked; distinct counts
    # need not add up exactly, so such a table can reach disclosure control.
    cells = persons(total=30, small=5, empty=0, also_empty=0)
    statuses = protect(cells, [Group("total", ("small", "empty", "also_empty"))])
    assert statuses == {
        "total": SECONDARY,
        "small": PRIMARY,
        "empty": PUBLISHED,
        "also_empty": PUBLISHED,
    }


def test_ties_between_parts_go_to_the_first_in_the_order_of_the_group() -> None:
    """Among equally small complements, the first listed in ``group.children`` is hidden."""
    cells = persons(total=45, small=5, b=20, c=20)
    first = protect(cells, [Group("total", ("small", "b", "c"))])
    second = protect(cells, [Group("total", ("small", "c", "b"))])
    assert (first["b"], first["c"]) == (SECONDARY, PUBLISHED)
    assert (second["b"], second["c"]) == (PUBLISHED, SECONDARY)


def test_a_suppressed_total_is_not_left_to_be_recomputed_from_its_parts() -> None:
    """A total hidden as a complement gets a part hidden too, else its parts add up to it."""
    cells = persons(national=70, t1=8, t2=62, c21=30, c22=32)
    groups = [Group("national", ("t1", "t2")), Group("t2", ("c21", "c22"))]
    assert protect(cells, groups) == {
        "national": PUBLISHED,
        "t1": PRIMARY,
        "t2": SECONDARY,
        "c21": SECONDARY,
        "c22": PUBLISHED,
    }


def test_a_total_of_a_single_part_is_suppressed_with_it() -> None:
    """A total with one part equals it: suppressing either suppresses the other."""
    cells = persons(contract=40, action=40, sibling=5, territory=45)
    groups = [Group("territory", ("contract", "sibling")), Group("contract", ("action",))]
    assert protect(cells, groups) == {
        "contract": SECONDARY,
        "action": SECONDARY,
        "sibling": PRIMARY,
        "territory": PUBLISHED,
    }


def test_an_undefined_cell_cannot_protect_its_neighbour() -> None:
    """A rate over no one stays undefined, counts as published and is never a complement."""
    cells = {
        "total": Cell((20, 45)),
        "small": Cell((4, 11)),
        "large": Cell((16, 34)),
        "nobody": Cell((0, 0), defined=False),
    }
    statuses = protect(cells, [Group("total", ("small", "nobody", "large"))])
    assert statuses == {
        "total": PUBLISHED,
        "small": PRIMARY,
        "large": SECONDARY,
        "nobody": UNDEFINED,
    }
    cells = {"total": Cell((5, 12)), "small": Cell((5, 12)), "nobody": Cell((0, 0), defined=False)}
    statuses = protect(cells, [Group("total", ("small", "nobody"))])
    assert statuses == {"total": PRIMARY, "small": PRIMARY, "nobody": UNDEFINED}


def test_a_suppressed_undefined_cell_is_marked_suppressed() -> None:
    """Suppression wins over undefined: saying "undefined" would tell the denominator is zero."""
    cells = {"odd": Cell((3, 0), defined=False)}
    assert protect(cells, []) == {"odd": PRIMARY}


# -- a hierarchy worked out by hand ----------------------------------------------------------------

# national → territories t1, t2 → contracts → actions, and a breakdown by sex (women,
# men, unspecified) of national, t1 and t2, whose categories also add up across levels.
HIERARCHY = persons(
    national=102,
    national_women=9,
    national_men=93,
    national_unspecified=0,
    t1=54,
    t1_women=5,
    t1_men=49,
    t1_unspecified=0,
    c11=24,
    a111=4,
    a112=20,
    c12=30,
    a121=30,
    t2=48,
    t2_women=4,
    t2_men=44,
    t2_unspecified=0,
    c21=40,
    a211=0,
    a212=40,
    c22=8,
    a221=8,
)


def hierarchy_groups() -> list[Group]:
    """The groups an indicator engine would build for :data:`HIERARCHY`."""
    sex = ("women", "men", "unspecified")
    groups = [
        Group("national", ("t1", "t2")),
        Group("t1", ("c11", "c12")),
        Group("t2", ("c21", "c22")),
        Group("c11", ("a111", "a112")),
        Group("c12", ("a121",)),
        Group("c21", ("a211", "a212")),
        Group("c22", ("a221",)),
    ]
    groups += [
        Group(entity, tuple(f"{entity}_{s}" for s in sex)) for entity in ("national", "t1", "t2")
    ]
    groups += [Group(f"national_{s}", (f"t1_{s}", f"t2_{s}")) for s in sex]
    return groups


def test_a_hierarchy_with_a_breakdown_by_sex_worked_out_by_hand() -> None:
    """Every status of a small national → territory → contract → action table with sexes."""
    # Levels 4, 5, 8, 9 are suppressed in turn. Level 4: a111 and t2_women.
    #   national_women = t1_women + t2_women: t1_women (5) hidden with t2_women;
    #   t1 = women + men + unspecified: t1_men (49) hidden, not the empty t1_unspecified;
    #   national_men = t1_men + t2_men: t2_men (44) hidden (t2's sexes now have two hidden);
    #   c11 = a111 + a112: a112 (20) hidden.
    # Level 5: t1_women, already hidden. Level 8: c22 and a221 (one group, two hidden).
    #   t2 = c21 + c22: c21 (40) hidden; c21, hidden, = a211 + a212, both published: a212
    #   (40) hidden, not the empty a211, else c21 = 0 + 40 and c22 = t2 - c21 = 8.
    # Level 9: national_women; national = women + men + unspecified: national_men hidden.
    expected = {
        "national": PUBLISHED,
        "national_women": PRIMARY,
        "national_men": SECONDARY,
        "national_unspecified": PUBLISHED,
        "t1": PUBLISHED,
        "t1_women": PRIMARY,
        "t1_men": SECONDARY,
        "t1_unspecified": PUBLISHED,
        "c11": PUBLISHED,
        "a111": PRIMARY,
        "a112": SECONDARY,
        "c12": PUBLISHED,
        "a121": PUBLISHED,
        "t2": PUBLISHED,
        "t2_women": PRIMARY,
        "t2_men": SECONDARY,
        "t2_unspecified": PUBLISHED,
        "c21": SECONDARY,
        "a211": PUBLISHED,
        "a212": SECONDARY,
        "c22": PRIMARY,
        "a221": PRIMARY,
    }
    statuses = protect(HIERARCHY, hierarchy_groups())
    assert statuses == expected
    assert list(statuses) == list(HIERARCHY)
    assert recovered(HIERARCHY, hierarchy_groups(), statuses) == {}


# -- caller errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (
            [Group("total", ("a", "ghost"))],
            r"groups\[0\]\.children: .*not among the cells.*'ghost'",
        ),
        ([Group("ghost", ("a",))], r"groups\[0\]\.parent: .*not among the cells.*'ghost'"),
        ([Group("total", ("a", "a"))], r"groups\[0\]\.children: each child once, got 'a'"),
        ([Group("total", ("a", "total"))], r"not the total itself, got 'total'"),
        ([Group("total", ("a",)), Group("total", ("a", "euros"))], r"groups\[1\]: .*mixes both"),
        ([Group("total", ("a", "rate"))], r"same number of counts .*mixes 1 and 2"),
    ],
)
def test_malformed_groups_are_refused_with_a_clear_message(
    groups: list[Group], message: str
) -> None:
    """Unknown keys, repeated children, a total among its parts or mixed cells raise ValueError."""
    cells = {"total": Cell((20,)), "a": Cell((20,)), "euros": Cell(()), "rate": Cell((1, 2))}
    with pytest.raises(ValueError, match=message):
        protect(cells, groups)


def test_groups_of_cells_that_count_no_persons_are_left_out() -> None:
    """A group of amounts in euros and a group without parts constrain nothing."""
    cells = {"total": Cell(()), "part": Cell(()), "alone": Cell((5,))}
    groups = [Group("total", ("part",)), Group("alone", ())]
    assert protect(cells, groups) == {"total": PUBLISHED, "part": PUBLISHED, "alone": PRIMARY}


@pytest.mark.parametrize("counts", [(-1,), (1.5,), (True,), [3]])
def test_counts_are_whole_numbers_of_zero_or_more(counts: object) -> None:
    """A negative, fractional or boolean count, or counts that are not a tuple, are refused."""
    with pytest.raises(ValueError, match="counts: a tuple of whole numbers"):
        Cell(counts)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [0, -3, True])
def test_the_threshold_is_a_whole_number_of_at_least_one(threshold: int) -> None:
    """A threshold below 1 (or a boolean) is refused."""
    with pytest.raises(ValueError, match="threshold: a whole number of at least 1"):
        protect({}, [], threshold=threshold)


# -- properties ------------------------------------------------------------------------------------


def recovered(
    cells: Mapping[Hashable, Cell], groups: Sequence[Group], statuses: Mapping[Hashable, CellStatus]
) -> dict[Hashable, int]:
    """The suppressed first counts an attacker recomputes by solving groups with one unknown.

    The attacker knows the counts of every cell not suppressed (an undefined rate tells its
    denominator is zero), reads each group as parent = sum of children, and repeats while a
    group has exactly one unknown, each value found becoming known.
    """
    known = {
        key: cell.counts[0]
        for key, cell in cells.items()
        if cell.counts and statuses[key] not in SUPPRESSED
    }
    found: dict[Hashable, int] = {}
    progress = True
    while progress:
        progress = False
        for group in groups:
            if not cells[group.parent].counts:
                continue
            unknown = [k for k in (group.parent, *group.children) if k not in known]
            if len(unknown) != 1:
                continue
            (key,) = unknown
            children = sum(known.get(child, 0) for child in group.children)
            value = children if key == group.parent else known[group.parent] - children
            known[key] = found[key] = value
            progress = True
    return found


COUNTS = st.one_of(st.just(0), st.integers(1, 12), st.integers(0, 60))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A random forest of entities with one or two breakdowns, as an indicator engine builds.

    Each entity's total adds up from its children's totals and from each of its breakdowns,
    and each category adds up across levels; a few arbitrary groups overlap the rest. Counts
    are drawn independently (distinct counts need not add up): the properties hold whatever
    the values.
    """
    arity = draw(st.sampled_from((1, 2)))
    size = draw(st.integers(1, 16))
    parent_of = [None] + [draw(st.none() | st.integers(0, node - 1)) for node in range(1, size)]
    dimensions = draw(st.lists(st.integers(1, 3), max_size=2))
    keys: list[Hashable] = []
    for node in range(size):
        keys.append(("n", node))
        for dimension, categories in enumerate(dimensions):
            keys.extend(("n", node, dimension, c) for c in range(categories))
    cells = {
        key: Cell(
            tuple(draw(COUNTS) for _ in range(arity)),
            defined=draw(st.sampled_from((True, True, True, False))),
        )
        for key in keys
    }
    children_of: dict[int, list[int]] = defaultdict(list)
    for node, parent in enumerate(parent_of):
        if parent is not None:
            children_of[parent].append(node)
    groups: list[Group] = []
    for node, kids in children_of.items():
        groups.append(Group(("n", node), tuple(("n", kid) for kid in kids)))
        for dimension, categories in enumerate(dimensions):
            groups.extend(
                Group(("n", node, dimension, c), tuple(("n", kid, dimension, c) for kid in kids))
                for c in range(categories)
            )
    for node in range(size):
        for dimension, categories in enumerate(dimensions):
            groups.append(
                Group(("n", node), tuple(("n", node, dimension, c) for c in range(categories)))
            )
    if len(keys) > 1:
        extra = st.lists(st.sampled_from(keys), min_size=2, max_size=5, unique=True)
        for members in draw(st.lists(extra, max_size=4)):
            groups.append(Group(members[0], tuple(members[1:])))
    return cells, groups


def sensitive(cell: Cell, threshold: int) -> bool:
    """Whether a cell breaks the frequency rule on its own."""
    return any(0 < count < threshold for count in cell.counts)


@given(tables(), st.integers(1, 30))
def test_no_group_is_left_with_exactly_one_suppressed_cell(table: Table, threshold: int) -> None:
    """Under a published total never exactly one part is hidden, nor a hidden total over none."""
    cells, groups = table
    statuses = protect(cells, groups, threshold=threshold)
    for group in groups:
        hidden_children = sum(statuses[child] in SUPPRESSED for child in group.children)
        if statuses[group.parent] not in SUPPRESSED:
            assert hidden_children != 1
        else:
            assert hidden_children != 0 or not group.children


@given(tables(), st.integers(1, 30))
def test_an_attacker_solving_the_groups_recovers_nothing(table: Table, threshold: int) -> None:
    """Solving the groups as equations, over and over, gives no suppressed cell away."""
    cells, groups = table
    statuses = protect(cells, groups, threshold=threshold)
    assert recovered(cells, groups, statuses) == {}


@given(tables(), st.integers(1, 30))
def test_primary_cells_are_exactly_the_sensitive_ones(table: Table, threshold: int) -> None:
    """Every cell with a count in 1..threshold-1 is primary, and no other cell is."""
    cells, groups = table
    statuses = protect(cells, groups, threshold=threshold)
    for key, cell in cells.items():
        assert (statuses[key] is PRIMARY) == sensitive(cell, threshold)


@given(tables(), st.integers(1, 30))
def test_undefined_marks_exactly_the_undefined_cells_left_published(
    table: Table, threshold: int
) -> None:
    """A cell is undefined if and only if its value is undefined and it is not suppressed."""
    cells, groups = table
    statuses = protect(cells, groups, threshold=threshold)
    for key, cell in cells.items():
        expected = not cell.defined and statuses[key] not in SUPPRESSED
        assert (statuses[key] is UNDEFINED) == expected


@given(tables(), st.integers(1, 30), st.integers(0, 30))
def test_a_higher_threshold_only_suppresses_more(table: Table, low: int, more: int) -> None:
    """Cells hidden (or primary) at a threshold stay hidden (or primary) at any higher one."""
    cells, groups = table
    before = protect(cells, groups, threshold=low)
    after = protect(cells, groups, threshold=low + more)
    for key in cells:
        if before[key] in SUPPRESSED:
            assert after[key] in SUPPRESSED
        if before[key] is PRIMARY:
            assert after[key] is PRIMARY


@given(tables(), st.integers(1, 30), st.randoms(use_true_random=False))
def test_the_order_of_the_groups_does_not_matter(
    table: Table, threshold: int, rng: random.Random
) -> None:
    """Shuffling the groups, or listing some twice, gives the same statuses, run after run."""
    cells, groups = table
    statuses = protect(cells, groups, threshold=threshold)
    shuffled = groups + rng.sample(groups, k=len(groups) // 2)
    rng.shuffle(shuffled)
    assert protect(cells, iter(shuffled), threshold=threshold) == statuses
    assert protect(cells, groups, threshold=threshold) == statuses


# -- cells that follow others ----------------------------------------------------------------------


def test_a_share_follows_the_counts_it_reveals() -> None:
    """A share of under-26s, linked to the age bands, no longer gives a suppressed band back.

    46 persons: 3 under 18, 12 aged 18-25, 11 aged 26-39, 20 aged 40 and over. Alone, the
    share of under-26s (15 of 46) is published beside the total and the 18-25 band, and
    15 - 12 gives the under-18s away. Its numerator, as a cell equal to the two young bands
    that the share follows, makes the 18-25 band the complement.
    """
    bands = persons(total=46, u18=3, y18_25=12, y26_39=11, o40=20)
    share = {"share": Cell((15, 46))}
    by_age = Group("total", ("u18", "y18_25", "y26_39", "o40"))
    alone = protect({**bands, **share}, [by_age])
    assert (alone["u18"], alone["y18_25"], alone["share"]) == (PRIMARY, PUBLISHED, PUBLISHED)
    linked = protect(
        {**bands, **share, **persons(numerator=15, denominator=46)},
        [
            by_age,
            Group("numerator", ("u18", "y18_25")),
            Group("denominator", ("u18", "y18_25", "y26_39", "o40")),
        ],
        follows=[("share", "numerator"), ("share", "denominator")],
    )
    assert (linked["u18"], linked["y18_25"]) == (PRIMARY, SECONDARY)


def test_a_follower_is_suppressed_with_its_leader_and_its_groups_repaired() -> None:
    """Suppressing a leader suppresses its followers, whose groups are then repaired."""
    cells = persons(small=5, follower=20, total=40, other=20)
    statuses = protect(
        cells, [Group("total", ("follower", "other"))], follows=[("follower", "small")]
    )
    assert statuses == {
        "small": PRIMARY,
        "follower": SECONDARY,
        "total": PUBLISHED,
        "other": SECONDARY,
    }


def test_following_is_one_way() -> None:
    """A follower suppressed for its own sake leaves its leader published."""
    cells = persons(small=5, leader=20)
    assert protect(cells, [], follows=[("small", "leader")]) == {
        "small": PRIMARY,
        "leader": PUBLISHED,
    }


def test_follows_names_cells_only() -> None:
    """A key in ``follows`` that is not a cell is refused, naming it."""
    with pytest.raises(ValueError, match=r"follows\[1\]: .*not among the cells.*'ghost'"):
        protect(persons(a=20, b=20), [], follows=[("a", "b"), ("a", "ghost")])


Followed = tuple[dict[Hashable, Cell], list[Group], list[tuple[Hashable, Hashable]]]


@st.composite
def followed_tables(draw: st.DrawFn) -> Followed:
    """A random table in which a few cells follow others."""
    cells, groups = draw(tables())
    keys = list(cells)
    if len(keys) < 2:
        return cells, groups, []
    pairs = draw(
        st.lists(st.lists(st.sampled_from(keys), min_size=2, max_size=2, unique=True), max_size=5)
    )
    return cells, groups, [(a, b) for a, b in pairs]


@given(followed_tables(), st.integers(1, 30))
def test_followers_are_hidden_with_their_leaders_and_nothing_is_revealed(
    table: Followed, threshold: int
) -> None:
    """A suppressed leader's followers are suppressed, and the groups still give nothing away."""
    cells, groups, follows = table
    statuses = protect(cells, groups, threshold=threshold, follows=follows)
    for follower, leader in follows:
        if statuses[leader] in SUPPRESSED:
            assert statuses[follower] in SUPPRESSED
    assert recovered(cells, groups, statuses) == {}
    for key, cell in cells.items():
        if statuses[key] is PRIMARY:
            assert sensitive(cell, threshold)


# -- size ------------------------------------------------------------------------------------------


def national_table(seed: int = 0) -> Table:
    """About 100,000 cells and 38,000 groups, adding up as an indicator engine's would.

    National → 30 territories → 25 contracts each → 21 actions each, with breakdowns by sex
    (3 categories) and age band (2) at every level, each category adding up across levels.
    """
    rng = random.Random(seed)
    cells: dict[Hashable, Cell] = {}
    groups: list[Group] = []
    categories = (("sex", 3), ("age", 2))

    def entity(key: tuple[str, ...], children: Sequence[tuple[str, ...]], total: int) -> None:
        cells[key] = Cell((total,))
        for dimension, count in categories:
            cuts = sorted(rng.randint(0, total) for _ in range(count - 1))
            parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
            breakdown = tuple((*key, dimension, str(c)) for c in range(count))
            cells.update((cell, Cell((n,))) for cell, n in zip(breakdown, parts, strict=True))
            groups.append(Group(key, breakdown))
            if children:
                groups.extend(
                    Group(
                        (*key, dimension, str(c)),
                        tuple((*kid, dimension, str(c)) for kid in children),
                    )
                    for c in range(count)
                )
        if children:
            groups.append(Group(key, tuple(children)))

    totals: dict[tuple[str, ...], int] = {}
    territories = []
    for t in range(30):
        contracts = []
        for c in range(25):
            actions = []
            for a in range(21):
                action = (f"t{t}", f"c{c}", f"a{a}")
                totals[action] = rng.choice((0, rng.randint(1, 15), rng.randint(0, 80)))
                actions.append(action)
            contract = (f"t{t}", f"c{c}")
            totals[contract] = sum(totals[a] for a in actions)
            contracts.append((contract, actions))
        territory = (f"t{t}",)
        totals[territory] = sum(totals[c] for c, _ in contracts)
        territories.append((territory, contracts))
    national = ("FR",)
    entity(national, [t for t, _ in territories], sum(totals[t] for t, _ in territories))
    for territory, contracts in territories:
        entity(territory, [c for c, _ in contracts], totals[territory])
        for contract, actions in contracts:
            entity(contract, actions, totals[contract])
            for action in actions:
                entity(action, [], totals[action])
    return cells, groups


def test_a_national_table_of_100_000_cells_is_protected() -> None:
    """A realistic national table of about 100,000 cells goes through and is left safe."""
    cells, groups = national_table()
    assert len(cells) > 99_000
    statuses = protect(cells, groups)
    assert len(statuses) == len(cells)
    assert statuses[("FR",)] is PUBLISHED
    for group in groups:
        hidden = sum(statuses[k] in SUPPRESSED for k in (group.parent, *group.children))
        assert hidden != 1
