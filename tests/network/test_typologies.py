"""Each typology detector: a positive case with its explanation and path, and a decoy."""

from __future__ import annotations

from tests.network.graphs import E, N, by_id, run


def typologies(found: dict[str, object], entity: str) -> list[str]:
    finding = found.get(entity)
    return list(getattr(finding, "typologies", [])) if finding else []


def test_proxy_correspondent_bank() -> None:
    nodes = [
        N("FTB", sanctioned=True),
        N("MRB"),
        N("PLAIN"),
        N("BANK"),
        N("USER"),
        N("NESTED"),
        N("TIMER"),
    ]
    edges = [
        E("FTB", "MRB", "correspondent"),  # FTB holds an account at MRB
        E("BANK", "PLAIN", "correspondent"),  # decoy: an ordinary correspondent relationship
        E("USER", "FTB", "correspondent"),  # decoy: an account AT the sanctioned bank
        E("MRB", "NESTED", "correspondent"),  # MRB holds an account at NESTED
        E("TIMER", "FTB", "intermediary"),  # TIMER routes payments for FTB
    ]
    found = by_id(run(nodes, edges))
    mrb = found["MRB"]
    assert mrb.status == "typology" and mrb.typologies == ["proxy_correspondent_bank"]
    assert mrb.reasons[0] == (
        "proxy_correspondent_bank: holds correspondent account(s) for sanctioned Caption FTB (FTB)"
    )
    assert mrb.paths[0] == [{"node": "MRB", "edge": None}, {"node": "FTB", "edge": "correspondent"}]
    assert typologies(found, "TIMER") == ["proxy_correspondent_bank"]
    assert "routes payments on behalf of sanctioned" in found["TIMER"].reasons[0]
    nested = found["NESTED"]
    assert nested.typologies == ["proxy_correspondent_bank"]
    assert nested.reasons[0].startswith("proxy_correspondent_bank: nested correspondent")
    assert [s["node"] for s in nested.paths[0]] == ["NESTED", "MRB", "FTB"]
    assert typologies(found, "USER") == []
    assert "PLAIN" not in found and "BANK" not in found


def test_front_company_by_founding_and_funds() -> None:
    nodes = [
        N("S", sanctioned=True),
        N("NEW", founded="2024-01-01"),
        N("OLD", founded="2020-01-01"),
        N("VIA", founded="2023-10-17"),
        N("AGENT"),
        N("LATE", founded="2024-06-01"),
    ]
    edges = [
        E("S", "NEW", "payment", amount=1000, date="2024-03-01"),
        E("S", "OLD", "payment", amount=1000, date="2024-03-01"),  # decoy: four years old
        E("AGENT", "S", "intermediary"),
        E("AGENT", "VIA", "payment", amount=2_000_000, date="2024-02-15"),
        E("S", "LATE", "payment", amount=1000, date="2024-03-01"),  # decoy: paid before founding
    ]
    found = by_id(run(nodes, edges))
    new = found["NEW"]
    assert new.typologies == ["front_company"]
    assert new.reasons[0] == (
        "front_company: founded 2024-01-01, first received funds from sanctioned Caption S (S): "
        "1,000.00 USD on 2024-03-01, 60 days later (window 365 days)"
    )
    via = found["VIA"]
    assert via.typologies == ["front_company"]
    assert "from Caption AGENT (AGENT) on behalf of sanctioned Caption S (S)" in via.reasons[0]
    assert via.paths[0] == [
        {"node": "VIA", "edge": None},
        {"node": "AGENT", "edge": "payment"},
        {"node": "S", "edge": "intermediary"},
    ]
    assert typologies(found, "OLD") == []
    assert typologies(found, "LATE") == []


def test_front_company_by_shared_attributes_and_officers() -> None:
    nodes = [
        N("S", sanctioned=True),
        N("SAMEADDR"),
        N("PERSON", "Person"),
        N("DIR", "Person"),
        N("SISTER"),
        N("RUN"),
    ]
    edges = [
        E("SAMEADDR", "S", "shared_address"),
        E("PERSON", "S", "shared_address"),  # decoy: a person is not a front company
        E("DIR", "S", "directorship"),
        E("DIR", "SISTER", "directorship"),
        E("S", "RUN", "directorship"),
    ]
    found = by_id(run(nodes, edges))
    assert found["SAMEADDR"].reasons[0] == (
        "front_company: shares its address with sanctioned Caption S (S)"
    )
    assert found["SISTER"].reasons[0] == (
        "front_company: shares an officer, Caption DIR (DIR), with sanctioned Caption S (S)"
    )
    assert [s["node"] for s in found["SISTER"].paths[0]] == ["SISTER", "DIR", "S"]
    assert found["RUN"].reasons[0] == "front_company: sanctioned Caption S (S) is its director"
    assert typologies(found, "PERSON") == []


def test_pass_through() -> None:
    nodes = [N("S", sanctioned=True), N("X"), N("Y"), N("X2"), N("Y2"), N("X3"), N("Y3")]
    edges = [
        E("S", "X", "payment", amount=100_000, date="2024-05-01"),
        E("X", "Y", "payment", amount=98_000, date="2024-05-03"),
        E("S", "X2", "payment", amount=100_000, date="2024-05-01"),
        E("X2", "Y2", "payment", amount=50_000, date="2024-05-02"),  # decoy: not similar
        E("S", "X3", "payment", amount=100_000, date="2024-05-01"),
        E("X3", "Y3", "payment", amount=100_000, date="2024-05-20"),  # decoy: too late
    ]
    found = by_id(run(nodes, edges))
    x = found["X"]
    assert x.typologies == ["pass_through"]
    assert x.reasons[0] == (
        "pass_through: funds in from sanctioned Caption S (S): 100,000.00 USD on 2024-05-01, "
        "out to Caption Y (Y): 98,000.00 USD on 2024-05-03"
    )
    assert x.paths[0] == [
        {"node": "S", "edge": None},
        {"node": "X", "edge": "payment"},
        {"node": "Y", "edge": "payment"},
    ]
    assert typologies(found, "X2") == [] and typologies(found, "X3") == []


def test_pass_through_towards_a_sanctioned_party() -> None:
    nodes = [N("S", sanctioned=True), N("A"), N("X")]
    edges = [
        E("A", "X", "payment", amount=10_000, date="2024-05-01"),
        E("X", "S", "payment", amount=9_500, date="2024-05-02"),
    ]
    found = by_id(run(nodes, edges))
    assert found["X"].typologies == ["pass_through"]
    assert "out to sanctioned Caption S (S)" in found["X"].reasons[0]


def test_round_trip() -> None:
    nodes = [N("S", sanctioned=True), N("O"), N("M"), N("O2"), N("M2")]
    edges = [
        E("O", "S", "payment", amount=100_000, date="2024-01-01"),
        E("S", "M", "payment", amount=99_000, date="2024-01-05"),
        E("M", "O", "payment", amount=98_000, date="2024-01-09"),
        E("O2", "S", "payment", amount=100_000, date="2024-01-01"),
        E("S", "M2", "payment", amount=99_000, date="2024-01-05"),
        E("M2", "O2", "payment", amount=30_000, date="2024-01-09"),  # decoy: not the funds
    ]
    found = by_id(run(nodes, edges))
    assert "round_trip" in found["O"].typologies
    assert "round_trip" in found["M"].typologies
    reason = next(r for r in found["O"].reasons if r.startswith("round_trip"))
    assert reason == (
        "round_trip: funds of 100,000.00 USD went round a cycle of 3 payments back to "
        "Caption O (O) between 2024-01-01 and 2024-01-09, through sanctioned Caption S (S)"
    )
    assert [s["node"] for s in found["O"].paths[0]] == ["O", "S", "M", "O"]
    assert "round_trip" not in typologies(found, "O2")
    assert "round_trip" not in typologies(found, "M2")


def test_fan_out_and_fan_in() -> None:
    nodes = [
        N("S", sanctioned=True),
        N("OUT"),
        N("FEW"),
        N("IN"),
        *(N(f"B{i}") for i in range(6)),
        *(N(f"P{i}") for i in range(6)),
    ]
    edges = [E("S", "OUT", "payment", amount=500_000, date="2024-03-01")]
    edges += [E("OUT", f"B{i}", "payment", amount=90_000, date="2024-03-03") for i in range(5)]
    edges += [E("S", "FEW", "payment", amount=500_000, date="2024-03-01")]
    edges += [E("FEW", f"B{i}", "payment", amount=1_000, date="2024-03-03") for i in range(4)]
    edges += [
        E(f"P{i}", "IN", "payment", amount=20_000, date="2024-04-0" + str(i + 1)) for i in range(6)
    ]
    edges += [E("IN", "S", "payment", amount=110_000, date="2024-04-07")]
    found = by_id(run(nodes, edges))
    assert "fan_out" in found["OUT"].typologies
    reason = next(r for r in found["OUT"].reasons if r.startswith("fan_out"))
    assert reason == (
        "fan_out: received funds from sanctioned Caption S (S) on 2024-03-01 and paid 5 "
        "different beneficiaries within 7 days"
    )
    assert "fan_out" not in typologies(found, "FEW")
    assert "fan_in" in found["IN"].typologies
    reason = next(r for r in found["IN"].reasons if r.startswith("fan_in"))
    assert reason == (
        "fan_in: collected funds from 6 different payers in the 7 days before paying "
        "sanctioned Caption S (S) on 2024-04-07"
    )
    assert [s["node"] for s in found["IN"].paths[0]] == ["P0", "IN", "S"]


def test_an_entity_gets_one_line_with_every_reason() -> None:
    nodes = [N("S", sanctioned=True), N("A", founded="2024-01-01")]
    edges = [
        E("S", "A", "ownership", share=30),
        E("S", "A", "payment", amount=1000, date="2024-02-01"),
    ]
    result = run(nodes, edges)
    [a] = result.findings
    assert a.status == "typology"
    assert a.typologies == ["front_company"]
    assert [r.split(":")[0] for r in a.reasons] == [
        "front_company",
        "exposed to Caption S (S) over 1 hop(s) (ownership); score 0.585",
    ]


def test_blocked_entities_are_not_reported_again_as_typologies() -> None:
    nodes = [N("S", sanctioned=True), N("A", founded="2024-01-01")]
    edges = [
        E("S", "A", "ownership", share=60),
        E("S", "A", "payment", amount=1000, date="2024-02-01"),
    ]
    [a] = run(nodes, edges).findings
    assert (a.status, a.typologies, len(a.reasons)) == ("blocked_by_ownership", [], 1)


def test_a_hub_is_not_the_middle_of_pass_through_or_fan_in() -> None:
    """A clearing bank's ordinary traffic (customers pay in, it pays out) is not evasion."""
    customers = [f"C{i}" for i in range(8)]
    nodes = [N("S", sanctioned=True), N("HUB"), *(N(c) for c in customers)]
    edges = [
        E(c, "HUB", "payment", amount=48_500 + i, date="2024-03-29")
        for i, c in enumerate(customers)
    ]
    edges.append(E("HUB", "S", "payment", amount=48_000, date="2024-04-02"))
    as_hub = by_id(run(nodes, edges, hub_degree=5))
    assert typologies(as_hub, "HUB") == []
    as_bank = by_id(run(nodes, edges, hub_degree=1000))  # the same node, not a hub
    assert set(typologies(as_bank, "HUB")) == {"pass_through", "fan_in"}
