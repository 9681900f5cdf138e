"""Whether a quote names the kind of agent a stand-in stands for: tables of (names, quote, answer)."""

from __future__ import annotations

import pytest
from persecution_graph.loaders.agents import names_agent, naming_words, proper_words

PLACES_AND_PEOPLE = proper_words(
    ["Almaty", "Kazakhstan", "Nur-Sultan", "Zinaida Mukhortova", "Child pushed into a police bus in Astana"]
)


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["Police of Almaty"], {"police"}),
        (["Police of Kazakhstan (agent not named)", "Kazakhstan police", "police, agent not named"], {"police"}),
        (["Investigating authorities of Kazakhstan (not named)"], {"investigat", "authority"}),
        (["Prosecutor's Office (not specified)", "the prosecutor's office"], {"prosecut"}),
        (["Kazakhstani court (not named)"], {"court"}),
        (["Mental hospital where Zinaida Mukhortova was held (not named)"], {"mental", "hospital"}),
        (["Special services of Kazakhstan"], {"special", "service"}),
        (["Almaty (not named)"], set()),
    ],
)
def test_naming_words_leave_out_places_persons_and_remarks(names: list[str], words: set[str]) -> None:
    assert naming_words(names, PLACES_AND_PEOPLE) == words


@pytest.mark.parametrize(
    ("names", "quote", "named"),
    [
        (["Police of Almaty"], "In Almaty, policemen threatened Dilnar Insenova", True),
        (["Police of Almaty"], "were summoned to police stations", True),
        (["Police of Almaty"], "she was brutally detained at the protest action in Almaty", False),
        (["Police of Almaty"], "on politically motivated charges", False),
        (["Investigating authorities of Kazakhstan (not named)"], "the investigation seized posters", True),
        (["Investigating authorities of Kazakhstan (not named)"], "investigators demanded", True),
        (["Investigating authorities of Kazakhstan (not named)"], "a criminal case was initiated in Kazakhstan", False),
        (["Authorities of Kazakhstan (not specified)"], "the Kazakhstani authorities", True),
        (["Authorities of Kazakhstan (not specified)"], "a Kazakhstani activist", False),
        (["A court in Kazakhstan (not named)"], "had a fine imposed on them by the court", True),
        (["A court in Kazakhstan (not named)"], "was sentenced to two years of restriction of liberty", False),
        (["Prosecutor's Office (not specified)"], "at the insistence of the prosecution", True),
        (["Mental hospital where Zinaida Mukhortova was held (not named)"], "Zinaida Mukhortova was held", False),
    ],
)
def test_a_quote_names_the_agent_by_a_word_of_its_names(names: list[str], quote: str, named: bool) -> None:
    assert names_agent([quote], naming_words(names, PLACES_AND_PEOPLE)) is named


def test_a_described_person_gives_only_proper_names() -> None:
    assert proper_words(["Child pushed into a police bus in Astana"]) == {"astana"}
    assert proper_words(["Barlyk Mendygazyev"]) == {"barlyk", "mendygazyev"}
