"""Linking: invitations, codes, joining atomically, unlinking."""
import threading

import pytest
from sqlalchemy import func, select

from couples import linking
from couples.access import couple_for_member, current_couple
from couples.errors import Conflict, Invalid, NotFound, ReadOnly
from couples.models import Couple, Invitation, Membership
from extensions import db


def test_invitation_code_is_eight_unambiguous_characters(make_user):
    invitation = linking.invite(make_user())
    assert len(invitation.code) == 8
    assert set(invitation.code) <= set(linking.CODE_ALPHABET)
    assert not set("0O1IL") & set(linking.CODE_ALPHABET)


def test_invitation_expires_after_72_hours(make_user, clock):
    invitation = linking.invite(make_user())
    assert (invitation.expires_at - invitation.created_at).total_seconds() == 72 * 3600


def test_partner_joins_with_the_code_typed_loosely(make_user):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    typed = " " + invitation.code[:4].lower() + " - " + invitation.code[4:].lower() + " "
    couple = linking.join(linking.find_invitation(code=typed), bob)
    assert couple.is_linked
    assert {m.id for m in couple.members} == {alice.id, bob.id}
    assert current_couple(alice) == current_couple(bob) == couple


def test_partner_joins_with_the_link(make_user):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    couple = linking.join(linking.find_invitation(token=invitation.token), bob)
    assert couple.partner_of(bob) == alice


def test_unknown_code_is_refused(make_user):
    with pytest.raises(NotFound) as caught:
        linking.find_invitation(code="ACDE-FGHJ")
    assert caught.value.code == "unknown_invitation"


def test_code_with_look_alike_characters_is_unknown(make_user):
    with pytest.raises(NotFound):
        linking.find_invitation(code="0O1IL000")


def test_expired_invitation_is_refused(make_user, clock):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    clock.advance(hours=72, seconds=1)
    with pytest.raises(Invalid) as caught:
        linking.join(invitation, bob)
    assert caught.value.code == "expired"
    assert current_couple(bob) is None


def test_invitation_just_before_expiry_still_works(make_user, clock):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    clock.advance(hours=71, minutes=59)
    assert linking.join(invitation, bob).is_linked


def test_cancelled_invitation_is_refused(make_user):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    linking.cancel_invitation(alice)
    with pytest.raises(Invalid) as caught:
        linking.join(invitation, bob)
    assert caught.value.code == "cancelled"


def test_new_invitation_makes_the_old_one_stop_working(make_user):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    old = linking.invite(alice)
    new = linking.invite(alice)
    assert old.code != new.code
    with pytest.raises(Invalid):
        linking.join(old, bob)
    assert linking.join(new, bob).is_linked


def test_own_invitation_is_refused(make_user):
    alice = make_user()
    invitation = linking.invite(alice)
    with pytest.raises(Invalid) as caught:
        linking.join(invitation, alice)
    assert caught.value.code == "own_invitation"


def test_used_invitation_is_refused_and_a_third_person_never_joins(make_user):
    alice, bob, carol = make_user("Alice Moreau"), make_user("Bob Lindqvist"), make_user("Carol Nguyen")
    invitation = linking.invite(alice)
    couple = linking.join(invitation, bob)
    with pytest.raises(Invalid) as caught:
        linking.join(invitation, carol)
    assert caught.value.code == "used"
    assert len(couple.memberships) == 2 and current_couple(carol) is None


def test_someone_already_linked_cannot_join_another(linked_couple, make_user):
    _, alice, bob = linked_couple()
    carol = make_user("Carol Nguyen")
    invitation = linking.invite(carol)
    with pytest.raises(Conflict) as caught:
        linking.join(invitation, bob)
    assert caught.value.code == "already_linked"
    with pytest.raises(Conflict):
        linking.invite(alice)


def test_joining_someone_else_closes_your_own_waiting_invitation(make_user):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    own = linking.invite(bob)
    linking.join(linking.invite(alice), bob)
    assert own.cancelled_at is not None
    assert db.session.get(Couple, own.couple_id).status == "unlinked"


def test_two_people_racing_for_one_invitation_cannot_both_win(app, make_user):
    alice = make_user("Alice Moreau")
    racers = [make_user("Bob Lindqvist"), make_user("Carol Nguyen")]
    invitation_id = linking.invite(alice).id
    barrier = threading.Barrier(2)
    results = {}

    def race(user_id):
        with app.app_context():
            from couples.models import User

            user = db.session.get(User, user_id)
            invitation = db.session.get(Invitation, invitation_id)
            barrier.wait()
            try:
                linking.join(invitation, user)
                results[user_id] = "won"
            except (Invalid, Conflict) as exc:
                results[user_id] = exc.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(u.id,)) for u in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["used", "won"]
    db.session.expire_all()
    couple_id = db.session.get(Invitation, invitation_id).couple_id
    members = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.couple_id == couple_id))
    assert members == 2


def test_unlink_makes_an_archive_readable_but_not_writable(linked_couple):
    couple, alice, bob = linked_couple()
    linking.unlink(couple, bob)
    assert couple.status == "unlinked" and couple.unlinked_by_id == bob.id
    assert current_couple(alice) is None and current_couple(bob) is None
    assert couple_for_member(alice, couple.id) == couple
    with pytest.raises(ReadOnly):
        couple_for_member(alice, couple.id, write=True)
    assert linking.archives(alice) == [couple]


def test_after_unlinking_each_can_link_again(linked_couple, make_user):
    couple, alice, bob = linked_couple()
    linking.unlink(couple, alice)
    carol = make_user("Carol Nguyen")
    again = linking.join(linking.invite(carol), alice)
    assert again.is_linked and again.id != couple.id


def test_unlink_needs_a_current_member(linked_couple):
    couple, alice, bob = linked_couple()
    other, carol, dan = linked_couple("Carol Nguyen", "Dan Okafor")
    with pytest.raises(NotFound):
        linking.unlink(couple, carol)
    assert couple.is_linked


def test_another_couple_is_not_found(linked_couple):
    couple, alice, bob = linked_couple()
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    with pytest.raises(NotFound):
        couple_for_member(carol, couple.id)
    with pytest.raises(NotFound):
        couple_for_member(alice, 999_999)
