"""The demo content is data (fixtures/demo/): every step a data file names is one the player
knows, every person and item it refers to is there, so that an edit to the data fails here, at
once, rather than halfway through ``seed_demo``."""

import json
import tomllib

import pytest
from django.core.management.base import CommandError

from appeals.management.commands import seed_demo_appeals
from cabinets.management.commands.seed_demo import FIXTURE
from consultations.management.demo import Story, Town, load
from consultations.management.demo.budgets import CycleStory
from consultations.management.demo.discussions import DiscussionStory
from consultations.management.demo.petitions import PetitionStory
from consultations.management.demo.polls import PollStory

STORIES = {
    "discussions": ("discussion", DiscussionStory),
    "polls": ("poll", PollStory),
    "petitions": ("petition", PetitionStory),
    "budgets": ("cycle", CycleStory),
}
PERSON_KEYS = ("by", "author", "executor")


def people():
    """Short names of everyone in the demo town: the fixture's staff and citizens and the extra
    citizens of the consultations."""
    town = json.loads(FIXTURE.read_text(encoding="utf-8"))
    emails = [m[0] for row in town["cabinets"] for m in row["members"]]
    emails += [row["email"] for row in town["users"]]
    return {e.split("@")[0] for e in emails} | {
        row["short"] for row in load("citizens")["citizens"]
    }


def referenced_people(entry):
    for key in PERSON_KEYS:
        value = entry.get(key)
        if isinstance(value, list):
            yield from value
        elif value:
            yield value


@pytest.mark.parametrize("name", STORIES)
def test_every_step_of_the_consultations_data_is_known_and_names_demo_people(name):
    kind, story = STORIES[name]
    known = people()
    items = load(name)[kind]
    assert items
    for item in items:
        assert len({i["key"] for i in items}) == len(items)
        for entry in [item, *item.get("step", ())]:
            for short in referenced_people(entry):
                assert short in known, (item["key"], short)
        for step in item.get("step", ()):
            assert hasattr(story, f"do_{step['do']}"), (item["key"], step["do"])
        for short in item.get("votes", {}):
            assert short in known, (item["key"], short)


def test_every_step_of_the_appeals_data_is_known_and_names_demo_people():
    data = tomllib.loads(seed_demo_appeals.DATA.read_text(encoding="utf-8"))
    known = people()
    topics = {row["name"] for row in data["topic"]} | {
        child for row in data["topic"] for child in row["children"]
    }
    assert len(data["appeal"]) == 14  # ten, an organisation's, three requests for information
    for item in data["appeal"]:
        assert item["topic"] in topics, item["subject"]
        for entry in [item, *item.get("step", ())]:
            for short in referenced_people(entry):
                assert short in known, (item["subject"], short)
        for step in item.get("step", ()):
            assert hasattr(seed_demo_appeals.Command, f"do_{step['do']}"), step["do"]
    keys = {item.get("key") for item in data["appeal"]}
    assert all(row["appeal"] in keys for row in data["community"]["comment"])


def test_an_unknown_step_stops_the_demo_with_its_name():
    class Probe(Story):
        kind = "probe"

        def begin(self):
            return None

    item = {"title": "Проба", "by": "mayor", "step": [{"do": "fly"}]}
    with pytest.raises(CommandError, match="no probe step «fly»"):
        Probe(Town(cabinets={}, territories={}, people={}), item).play()
