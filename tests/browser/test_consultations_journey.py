"""A resident of the demo town takes part in the three instruments that count voices, in
headless Chromium through the real pages only (issue 5): signs a petition and confirms the
signature from the link in the e-mail, votes in a poll (after one ballot the poll refuses),
and votes for participatory-budget projects; then finds all three in the personal cabinet.

The ORM only creates the resident (a verified resident with an account, as after an
official's confirmation) and checks what the clicks did. Every page is checked with axe-core:
0 serious or critical violations.
"""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from consultations.budgets.models import BudgetCycle
from consultations.budgets.models import Vote as BudgetVote
from consultations.petitions.models import Petition, Signature
from consultations.polls.models import Ballot, Poll, Question
from tests.factories import DEFAULT_PASSWORD, CitizenFactory

from .a11y import assert_accessible
from .test_portal import main_form, sign_in, submit

pytestmark = pytest.mark.browser

RESIDENT = "demina@example.org"


@pytest.fixture
def resident(demo_consultations):
    return CitizenFactory(email=RESIDENT, first_name="Ольга", last_name="Дёмина")


def confirmation_link(recipient, timeout=10):
    """The confirmation link from the mail the portal sent to ``recipient`` (the outbox is
    delivered after the request's transaction commits, in the live server's thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if recipient in message.to:
                found = re.search(r"https?://\S+(/petitions/confirm/[^/\s]+/)", message.body)
                if found:
                    return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no confirmation mail to {recipient}: {[m.to for m in mail.outbox]}")


def test_resident_signs_votes_and_votes_for_projects(page, resident):
    sign_in(page, RESIDENT, DEFAULT_PASSWORD)
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()

    # --- The petition: the signature counts only after the e-mail link is followed.
    petition = Petition.objects.filter(status="collecting").first()
    counted_before = petition.signatures.filter(confirmed_at__isnull=False).count()
    page.goto(reverse("petitions:detail", args=[petition.pk]))
    assert_accessible(page)
    submit(page.locator(f"main form[action='{reverse('petitions:sign', args=[petition.pk])}']"))
    expect(page.locator(".alert-success, .messages")).to_contain_text(RESIDENT)
    assert_accessible(page)
    signature = Signature.objects.get(petition=petition, user=resident)
    assert signature.confirmed_at is None  # not counted yet
    assert petition.signatures.filter(confirmed_at__isnull=False).count() == counted_before

    page.goto(confirmation_link(RESIDENT))
    assert_accessible(page)
    page.get_by_role("button", name="Подтвердить мою подпись").click()
    page.goto(reverse("petitions:detail", args=[petition.pk]))
    expect(page.locator("main")).to_contain_text("Вы подписали эту петицию")
    expect(page.locator(".petition-signers")).to_contain_text("Дёмина")
    assert_accessible(page)
    signature.refresh_from_db()
    assert signature.confirmed_at is not None
    assert petition.signatures.filter(confirmed_at__isnull=False).count() == counted_before + 1

    # --- The poll: a ballot with too many choices is refused and keeps what was chosen; the
    # corrected ballot is counted once, and the live results show it.
    poll = Poll.objects.filter(status="active").first()
    questions = {q.kind: q for q in poll.questions.prefetch_related("options")}
    options = {kind: list(q.options.order_by("order")) for kind, q in questions.items()}
    ballots_before = Ballot.objects.filter(poll=poll).count()
    page.goto(reverse("polls:detail", args=[poll.pk]))
    assert_accessible(page)
    single, multiple = questions[Question.Kind.SINGLE], questions[Question.Kind.MULTIPLE]
    ranking, scale = questions[Question.Kind.RANKING], questions[Question.Kind.SCALE]
    page.check(f"input[name='q{single.pk}'][value='{options['single'][1].pk}']")
    for option in options["multiple"][:4]:  # the question allows 1 to 3
        page.check(f"input[name='q{multiple.pk}'][value='{option.pk}']")
    for place, option in enumerate(options["ranking"], start=1):
        page.select_option(f"select[name='q{ranking.pk}_o{option.pk}']", str(place))
    page.check(f"input[name='q{scale.pk}'][value='4']")
    submit(main_form(page, f"q{single.pk}"))
    expect(page.locator(f"#q{multiple.pk}-error")).to_be_visible()
    assert_accessible(page)
    # What was chosen is kept: only the extra choice has to go.
    expect(
        page.locator(f"input[name='q{single.pk}'][value='{options['single'][1].pk}']")
    ).to_be_checked()
    expect(page.locator(f"input[name='q{scale.pk}'][value='4']")).to_be_checked()
    assert Ballot.objects.filter(poll=poll).count() == ballots_before
    page.uncheck(f"input[name='q{multiple.pk}'][value='{options['multiple'][3].pk}']")
    submit(main_form(page, f"q{single.pk}"))
    expect(page.locator(".messages")).to_contain_text("ваш бюллетень учтён")
    assert_accessible(page)
    ballot = Ballot.objects.get(poll=poll, voter=resident)
    assert Ballot.objects.filter(poll=poll).count() == ballots_before + 1
    chosen = set(ballot.answers.filter(question=multiple).values_list("option_id", flat=True))
    assert chosen == {o.pk for o in options["multiple"][:3]}
    page.goto(reverse("polls:results", args=[poll.pk]))
    expect(page.locator("main")).to_contain_text(str(ballots_before + 1))
    assert_accessible(page)

    # --- The participatory budget: two of the three votes, then one left.
    cycle = BudgetCycle.objects.filter(status="voting").first()
    page.goto(reverse("budgets:vote", args=[cycle.pk]))
    assert_accessible(page)
    expect(page.locator(".budget-remaining")).to_contain_text(str(cycle.votes_per_voter))
    choices = page.locator("form.budget-ballot input[type='checkbox']")
    chosen_labels = []
    for index in (0, 1):
        box = choices.nth(index)
        box.check()
        chosen_labels.append(page.locator(f"label[for='{box.get_attribute('id')}']").inner_text())
    submit(page.locator("form.budget-ballot"))
    expect(page.locator("main")).to_contain_text("Ваши голоса учтены")
    expect(page.locator(".budget-remaining")).to_contain_text(str(cycle.votes_per_voter - 2))
    assert_accessible(page)
    votes = BudgetVote.objects.filter(project__cycle=cycle, ballot__user=resident)
    assert votes.count() == 2
    assert sorted(str(v.project) for v in votes.select_related("project")) == sorted(
        label.strip() for label in chosen_labels
    )

    # --- The personal cabinet has all three, and leads to "my petitions" and "my votes".
    page.goto(reverse("accounts:cabinet"))
    main = page.locator("main")
    expect(main).to_contain_text(poll.title)
    petitions_block = page.locator("section[aria-labelledby='petitions-personal-title']")
    expect(petitions_block).to_contain_text("Вы подписали 1 петицию")
    assert_accessible(page)
    main.get_by_role("link", name="Мои петиции").click()
    expect(page.locator("main")).to_contain_text(petition.title)
    assert_accessible(page)
    page.goto(reverse("accounts:cabinet"))
    main.get_by_role("link", name="Мои проекты и мои голоса").click()
    for label in chosen_labels:
        expect(page.locator("main")).to_contain_text(label.strip())
    assert_accessible(page)

    # --- Withdrawing the signature while the petition collects (R24): a confirmation page,
    # then the count goes down by one.
    page.goto(reverse("petitions:detail", args=[petition.pk]))
    page.locator("#withdraw-signature").click()
    expect(page.locator("#withdraw-form")).to_be_visible()
    assert_accessible(page)
    submit(page.locator("#withdraw-form"))
    sign_form = f"main form[action='{reverse('petitions:sign', args=[petition.pk])}']"
    expect(page.locator(sign_form)).to_be_visible()  # back on the petition, free to sign again
    assert not Signature.objects.filter(petition=petition, user=resident).exists()
    assert petition.signatures.filter(confirmed_at__isnull=False).count() == counted_before
