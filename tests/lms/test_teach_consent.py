"""Trustworthy classes: nobody is put in a class without consent, teachers see only members,
and sign-in codes are printed only for accounts without a password of their own — every one of
them written to the audit log. Each route by its address, with the unhappy paths."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import (
    AccountOrigin,
    AuditEntry,
    Certificate,
    ClassGroup,
    ClassInvitation,
    ClassMember,
    CourseModule,
    LoginSession,
    Role,
    SignInCode,
    User,
)
from lms.models.base import utcnow
from lms.teach import services
from tests.helpers import PASSWORD, csrf_token, log_in, log_out, post_form

CODE_RE = re.compile(r'class="code-big">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})<')


def login(client, username, password=PASSWORD, lang="en"):
    """Log in and read the site in ``lang`` (None: Vietnamese)."""
    response = log_in(client, username, password, lang=lang or "vi")
    assert response.status_code == 302, (username, response.status_code)


@pytest.fixture
def people(app, make_user, loaded, places):
    return {
        "teacher": make_user(username="cogiao", role=Role.TEACHER, group=None, full_name="Cô Giáo Lan"),
        "stranger": make_user(username="thaykhac", role=Role.TEACHER, group=None, full_name="Thầy Khác"),
        "admin": make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản"),
        # A learner who registered with a password of her own, in the class's commune.
        "an": make_user(username="hocvienan", full_name="Nguyễn Văn An", place=places["village2"]),
        "binh": make_user(username="0912345678", full_name="Trần Thị Bình"),
    }


def make_class(app, teacher_id, members=(), name="Lớp thôn 1", place=None) -> int:
    with app.app_context():
        group = services.create_class(db.session.get(User, teacher_id), name, place, "citizens", "Tối thứ Ba", None)
        for user_id in members:
            db.session.add(ClassMember(class_id=group.id, user_id=user_id))
        db.session.commit()
        return group.id


def teacher_made_account(app, teacher_id, class_id, username="hoado", full_name="Hờ A Dơ") -> int:
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        user, _code = services.create_learner_account(db.session.get(User, teacher_id), group, full_name, username,
                                                      "citizens", group.place_id or _a_village())
        return user.id


def _a_village() -> int:
    from lms.models import Place, PlaceKind
    return db.session.scalar(select(Place.id).where(Place.kind == PlaceKind.VILLAGE).order_by(Place.id))


def give_certificate(app, user_id) -> str:
    """A certificate of course beta, written directly (how it was earned does not matter here)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        certificate = Certificate(code=f"K7QM4XRT{user_id:04d}".replace("0", "A").replace("1", "B"), user_id=user_id,
                                  course_id="beta", learner_name=user.full_name, course_title_vi="Khóa Beta",
                                  course_title_en="Beta course", course_version="1", issuer_name="UBND xã Krông Á",
                                  issuer_place="Krông Á", signer_title="Chủ tịch", signer_name="Y Blin Niê")
        db.session.add(certificate)
        db.session.commit()
        return certificate.display_code


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def members(app, class_id) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(ClassMember.user_id).where(ClassMember.class_id == class_id)))


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="status">([^<]*)</p>', page)]


def invite(client, class_id, login_name):
    url = f"/teach/classes/{class_id}"
    return post_form(client, url + "/members", {"login": login_name}, form_url=url)


def invitation_id(app, class_id, login_key) -> int:
    with app.app_context():
        return db.session.scalar(select(ClassInvitation.id).where(ClassInvitation.class_id == class_id,
                                                                  ClassInvitation.login_key == login_key))


# --- the takeover path from the issue -----------------------------------------------------

def test_a_teacher_with_no_link_cannot_take_over_a_learners_account(app, client, people):
    """A teacher creates a class, adds a learner by username, then tries their page, their
    certificates and a sign-in code: each step now fails, and the learner is never in."""
    code = give_certificate(app, people["an"])
    login(client, "thaykhac")
    response = post_form(client, "/teach/classes/new", {"name": "Lớp của tôi", "place": "", "target_group": ""})
    class_id = int(response.headers["Location"].rsplit("/", 1)[1])
    class_url = f"/teach/classes/{class_id}"
    # 1. Adding by username only sends an invitation.
    added = invite(client, class_id, "hocvienan")
    assert added.status_code == 302 and added.headers["Location"] == class_url
    page = client.get(class_url).get_data(as_text=True)
    assert "Nguyễn Văn An" not in page and "0 learners" in page
    assert "Invited, waiting for them to accept" in page and "hocvienan" in page
    assert members(app, class_id) == set()
    # 2. The learner's page, by its address.
    assert client.get(f"{class_url}/learners/{people['an']}").status_code == 404
    # 3. The certificates: one by one, and the class's ZIP.
    assert client.get(f"/certificates/{code}").status_code == 404
    assert client.get(f"/certificates/{code}.pdf").status_code == 404
    zipped = client.get(f"/classes/{class_id}/certificates.zip")
    assert zipped.status_code == 302 and zipped.mimetype != "application/zip"
    # 4. A sign-in code, and the other actions on a learner of the class.
    token = csrf_token(client, class_url)
    for action in ("code", "mentor", "assist/1"):
        response = client.post(f"{class_url}/learners/{people['an']}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    assert client.post(f"{class_url}/members/{people['an']}/remove", data={"csrf_token": token}).status_code == 404
    assert count(app, SignInCode) == 0 and count(app, AuditEntry) == 0
    with app.app_context():
        assert not db.session.get(User, people["an"]).is_mentor
    # 5. Even if she accepts, her own password keeps a teacher from signing in as her.
    log_out(client)
    login(client, "hocvienan")
    home = client.get("/").get_data(as_text=True)
    assert "Thầy Khác invites you to the class “Lớp của tôi”." in home
    post_form(client, f"/class-invitations/{invitation_id(app, class_id, 'hocvienan')}", {"answer": "accept"},
              form_url="/")
    assert members(app, class_id) == {people["an"]}
    log_out(client)
    login(client, "thaykhac")
    assert client.get(f"{class_url}/learners/{people['an']}").status_code == 200  # she agreed to this
    page = client.get(class_url).get_data(as_text=True)
    assert f"/learners/{people['an']}/code" not in page and "Has their own password" in page
    refused = post_form(client, f"{class_url}/learners/{people['an']}/code", {}, form_url=class_url)
    assert refused.status_code == 403
    text = html.unescape(refused.get_data(as_text=True))
    assert "Nguyễn Văn An has a password of their own, so a teacher cannot print a sign-in code for them." in text
    assert "an administrator can reset the account" in text
    assert count(app, SignInCode) == 0 and count(app, AuditEntry) == 0
    assert not CODE_RE.search(text)


# --- the same answer whether or not a name exists -----------------------------------------

@pytest.mark.parametrize("typed, shown", [
    ("hocvienan", "hocvienan"),  # a learner elsewhere, with her own password
    ("khongcoai", "khongcoai"),  # nobody
    ("thaykhac", "thaykhac"),  # a teacher
    ("0912 345 678", "0912345678"),  # a learner's phone number
    ("0987 654 321", "0987654321"),  # a phone number nobody has
])
def test_inviting_by_name_answers_the_same_whether_or_not_the_account_exists(app, client, people, typed, shown):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    response = invite(client, class_id, typed)
    assert response.status_code == 302 and response.headers["Location"] == f"/teach/classes/{class_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(page) == [f"If someone has the username or phone number “{shown}”, they see your invitation on "
                             "their home page. They are in the class once they accept it."]
    pending = page[page.index("Invited, waiting for them to accept"):page.index("Find and invite a learner")]
    assert shown in pending
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Thầy Khác"):
        assert name not in page
    assert members(app, class_id) == set()


def test_inviting_what_is_not_a_name_is_refused_by_its_form_alone(app, client, people):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    page = client.get(invite(client, class_id, "a b!").headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["“a b!” is not a username or a mobile phone number. Check what you typed."]
    assert count(app, ClassInvitation) == 0


def test_search_lists_only_the_classs_commune_and_offers_an_invitation_for_an_exact_name(app, client, people,
                                                                                          places):
    class_id = make_class(app, people["teacher"], place=places["village"])
    login(client, "cogiao")
    page = client.get(f"/teach/classes/{class_id}", query_string={"q": "an"}).get_data(as_text=True)
    assert "Nguyễn Văn An" in page  # in the commune, found by name
    with app.app_context():
        group = db.session.get(ClassGroup, class_id)
        group.place_id = None  # no commune: nobody is listed, even by exact username
        db.session.commit()
    for query in ("hocvienan", "khongcoai"):
        page = client.get(f"/teach/classes/{class_id}", query_string={"q": query}).get_data(as_text=True)
        assert "Nguyễn Văn An" not in page and "Nobody in the class&#39;s commune has this name." in page
        assert f"Or invite whoever has the exact username or phone number “{query}”." in page
        assert f'name="login" value="{query}"' in page


# --- invitations: accept, decline, withdraw -----------------------------------------------

def test_an_invited_learner_accepts_on_her_home_page_and_is_then_a_member(app, client, people):
    class_id = make_class(app, people["teacher"], name="Lớp tối thứ Ba")
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    log_out(client)
    login(client, "hocvienan", lang=None)  # Vietnamese, as most learners read it
    home = client.get("/").get_data(as_text=True)
    assert "Cô Giáo Lan mời bạn vào lớp “Lớp tối thứ Ba”." in home and "Tối thứ Ba" in home
    assert "Nếu bạn đồng ý, giáo viên của lớp này sẽ xem được" in home
    answer = f"/class-invitations/{invitation_id(app, class_id, 'hocvienan')}"
    assert client.post(answer, data={"answer": "accept"}).status_code == 400  # no CSRF token: nothing changes
    assert members(app, class_id) == set()
    response = post_form(client, answer, {"answer": "accept"}, form_url="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Bạn đã vào lớp “Lớp tối thứ Ba”." in home and "mời bạn vào lớp" not in home
    assert members(app, class_id) == {people["an"]} and count(app, ClassInvitation) == 0
    # Answered once: the same invitation cannot be answered again.
    assert post_form(client, answer, {"answer": "decline"}, form_url="/").status_code == 404
    assert members(app, class_id) == {people["an"]}
    log_out(client)
    login(client, "cogiao")
    assert client.get(f"/teach/classes/{class_id}/learners/{people['an']}").status_code == 200


def test_a_learner_who_declines_is_not_in_the_class_and_the_teacher_sees_nothing(app, client, people):
    class_id = make_class(app, people["teacher"])
    code = give_certificate(app, people["an"])
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    log_out(client)
    login(client, "hocvienan")
    response = post_form(client, f"/class-invitations/{invitation_id(app, class_id, 'hocvienan')}",
                         {"answer": "decline"}, form_url="/")
    assert response.status_code == 302
    assert "You declined the invitation to the class “Lớp thôn 1”." in client.get("/").get_data(as_text=True)
    assert members(app, class_id) == set() and count(app, ClassInvitation) == 0
    log_out(client)
    login(client, "cogiao")
    page = client.get(f"/teach/classes/{class_id}").get_data(as_text=True)
    assert "hocvienan" not in page and "Invited, waiting" not in page
    assert client.get(f"/teach/classes/{class_id}/learners/{people['an']}").status_code == 404
    assert client.get(f"/certificates/{code}").status_code == 404


def test_an_invited_learner_is_not_a_member_on_any_teachers_page(app, client, people):
    """Waiting for her answer, she is nowhere in the class: not in the list, the grid, the
    downloads or the certificates, and no action on her works."""
    class_id = make_class(app, people["teacher"], [people["binh"]])
    code = give_certificate(app, people["an"])
    with app.app_context():
        services.assign(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id), "beta", [], [],
                        None, None)
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    url = f"/teach/classes/{class_id}"
    for page_url in (url, url + "/progress", url + "/progress.csv", url + "/assign"):
        assert "Nguyễn Văn An" not in client.get(page_url).get_data(as_text=True), page_url
    learner = f"{url}/learners/{people['an']}"
    assert client.get(learner).status_code == 404
    token = csrf_token(client, url)
    with app.app_context():
        module = db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))  # has a quiz
    for path in (learner + "/code", learner + "/mentor", f"{learner}/assist/{module}",
                 f"{url}/members/{people['an']}/remove"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path
    assert client.get(f"/certificates/{code}").status_code == 404
    assert client.get(f"/certificates/{code}.pdf").status_code == 404
    zipped = client.get(f"/classes/{class_id}/certificates.zip")
    assert zipped.status_code == 302  # "No learner of this class has a certificate yet."
    assigning = client.post(url + "/assign", data={"csrf_token": token, "step": "assign", "course": "beta",
                                                   "who": "chosen", "learners": [str(people["an"])]},
                            follow_redirects=True)
    assert "You can only assign work to learners of this class." in assigning.get_data(as_text=True)
    assert count(app, SignInCode) == 0 and members(app, class_id) == {people["binh"]}


def test_invitations_are_answered_only_by_their_own_learner_while_they_wait(app, client, people, make_user):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    answer = f"/class-invitations/{invitation_id(app, class_id, 'hocvienan')}"
    # Its teacher cannot accept it for her.
    assert post_form(client, answer, {"answer": "accept"}, form_url="/").status_code == 404
    log_out(client)
    # Nor can another learner, who does not see it either.
    login(client, "0912345678")
    assert "invites you" not in client.get("/").get_data(as_text=True)
    assert post_form(client, answer, {"answer": "accept"}, form_url="/").status_code == 404
    assert post_form(client, "/class-invitations/999999", {"answer": "accept"}, form_url="/").status_code == 404
    assert members(app, class_id) == set() and count(app, ClassInvitation) == 1
    log_out(client)
    # After 30 days it has expired: not shown, cannot be accepted.
    with app.app_context():
        invitation = db.session.scalar(select(ClassInvitation))
        invitation.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    login(client, "hocvienan")
    assert "invites you" not in client.get("/").get_data(as_text=True)
    assert post_form(client, answer, {"answer": "accept"}, form_url="/").status_code == 404
    assert members(app, class_id) == set()
    # Not logged in: to the log-in page.
    log_out(client)
    assert client.post(answer, data={"answer": "accept"}).status_code in (302, 400)
    assert members(app, class_id) == set()


def test_someone_who_registers_later_with_an_invited_phone_number_sees_the_invitation(app, client, people, places):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    invite(client, class_id, "0987 654 321")
    log_out(client)
    post_form(client, "/register", {"full_name": "Y Khoa Niê", "username": "0987654321", "password": "ba con mèo nhỏ",
                                    "confirm": "ba con mèo nhỏ", "target_group": "citizens",
                                    "village": str(places["village"])})
    client.set_cookie("lang", "en")
    assert "Cô Giáo Lan invites you to the class “Lớp thôn 1”." in client.get("/").get_data(as_text=True)
    assert members(app, class_id) == set()


def test_joining_with_the_code_needs_no_invitation_and_answers_a_waiting_one(app, client, people):
    class_id = make_class(app, people["teacher"])
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    log_out(client)
    with app.app_context():
        code = db.session.get(ClassGroup, class_id).join_code
    login(client, "hocvienan")
    assert post_form(client, "/join", {"code": code}).status_code == 302
    assert members(app, class_id) == {people["an"]} and count(app, ClassInvitation) == 0
    assert "invites you" not in client.get("/").get_data(as_text=True)


def test_a_teacher_withdraws_an_invitation_of_their_own_class_only(app, client, people):
    class_id = make_class(app, people["teacher"])
    other_class = make_class(app, people["teacher"], name="Lớp khác")
    login(client, "cogiao")
    invite(client, class_id, "hocvienan")
    pending = invitation_id(app, class_id, "hocvienan")
    url = f"/teach/classes/{class_id}"
    # Through another of the teacher's classes, the invitation does not exist.
    wrong = post_form(client, f"/teach/classes/{other_class}/invitations/{pending}/withdraw", {}, form_url=url)
    assert wrong.status_code == 404
    assert client.post(f"{url}/invitations/{pending}/withdraw").status_code == 400  # no CSRF token
    assert count(app, ClassInvitation) == 1
    done = post_form(client, f"{url}/invitations/{pending}/withdraw", {}, form_url=url)
    assert done.status_code == 302
    assert "The invitation is withdrawn." in client.get(url).get_data(as_text=True)
    assert count(app, ClassInvitation) == 0
    log_out(client)
    login(client, "hocvienan")
    assert "invites you" not in client.get("/").get_data(as_text=True)


def test_inviting_again_renews_and_a_class_has_a_limit_of_waiting_invitations(app, people, monkeypatch):
    class_id = make_class(app, people["teacher"])
    monkeypatch.setattr(services, "MAX_PENDING_INVITATIONS", 2)
    with app.app_context():
        teacher, group = db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id)
        assert services.invite(teacher, group, "mot").outcome == "invited"
        assert services.invite(teacher, group, "hai").outcome == "invited"
        assert services.invite(teacher, group, "MOT").outcome == "invited"  # the same name: renewed
        with pytest.raises(services.TeachError, match="already has 2 invitations waiting"):
            services.invite(teacher, group, "bay")
        assert db.session.scalar(select(func.count()).select_from(ClassInvitation)) == 2
        # Expired invitations do not count (and go away).
        for invitation in db.session.scalars(select(ClassInvitation)):
            invitation.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert services.invite(teacher, group, "bay").outcome == "invited"
        assert [i.login_name for i in services.invitations_of_class(group)] == ["bay"]


def test_deleting_a_persons_data_deletes_the_invitations_to_their_name(app, people):
    class_id = make_class(app, people["teacher"])
    with app.app_context():
        from lms.admin.services import anonymize
        services.invite(db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id), "0912345678")
        anonymize(db.session.get(User, people["admin"]), db.session.get(User, people["binh"]))
        assert db.session.scalar(select(func.count()).select_from(ClassInvitation)) == 0


# --- accounts a teacher made --------------------------------------------------------------

def test_an_account_the_teacher_made_is_added_directly_but_not_by_another_teacher(app, client, people, places):
    class_id = make_class(app, people["teacher"], place=places["village"])
    made = teacher_made_account(app, people["teacher"], class_id)
    with app.app_context():
        user = db.session.get(User, made)
        assert (user.created_by_id, user.created_via, user.password_chosen_at) == (
            people["teacher"], AccountOrigin.TEACHER, None)
        services.remove_member(db.session.get(ClassGroup, class_id), made)
    login(client, "cogiao")
    page = client.get(invite(client, class_id, "hoado").headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Hờ A Dơ is now in the class."]
    assert made in members(app, class_id) and count(app, ClassInvitation) == 0
    page = client.get(invite(client, class_id, "hoado").headers["Location"]).get_data(as_text=True)
    assert flashes(page) == ["Hờ A Dơ was already in the class."]
    log_out(client)
    other_class = make_class(app, people["stranger"])
    login(client, "thaykhac")
    page = client.get(invite(client, other_class, "hoado").headers["Location"]).get_data(as_text=True)
    assert "Hờ A Dơ" not in page and "they see your invitation" in flashes(page)[0]
    assert members(app, other_class) == set()


# --- one-time sign-in codes ---------------------------------------------------------------

def test_a_teacher_prints_codes_for_an_account_they_made_until_its_owner_chooses_a_password(app, client, people,
                                                                                           places):
    class_id = make_class(app, people["teacher"], place=places["village"])
    login(client, "cogiao")
    url = f"/teach/classes/{class_id}"
    made = post_form(client, url + "/accounts", {"full_name": "Hờ A Dơ", "username": "hoado",
                                                 "target_group": "citizens", "village": str(places["village"])},
                     form_url=url)
    assert made.status_code == 200 and CODE_RE.search(made.get_data(as_text=True))
    user_id = db_user_id(app, "hoado")
    again = post_form(client, f"{url}/learners/{user_id}/code", {}, form_url=url)
    assert again.status_code == 200
    code = CODE_RE.search(again.get_data(as_text=True)).group(1)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_id, e.target) for e in entries] == [
            ("class.sign_in_code", people["teacher"], f"user:{user_id}")] * 2
        assert [e.details for e in entries] == [
            {"username": "hoado", "class": "Lớp thôn 1", "new_account": True},
            {"username": "hoado", "class": "Lớp thôn 1", "new_account": False}]
    # The owner signs in with the code and chooses a password: from now on, no teacher's code.
    log_out(client)
    assert post_form(client, "/login/code", {"username": "hoado", "code": code}).status_code == 302
    assert post_form(client, "/account/password", {"password": "một mật khẩu mới",
                                                   "confirm": "một mật khẩu mới"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).password_chosen_at is not None
    log_out(client)
    login(client, "cogiao")
    refused = post_form(client, f"{url}/learners/{user_id}/code", {}, form_url=url)
    assert refused.status_code == 403
    assert "Hờ A Dơ has a password of their own" in html.unescape(refused.get_data(as_text=True))
    assert count(app, AuditEntry) == 2 and count(app, SignInCode, SignInCode.used_at.is_(None)) == 0
    # Even after an administrator's reset (no password now), the owner had one: still not a teacher's.
    with app.app_context():
        from lms.admin.services import reset_with_code
        reset_with_code(db.session.get(User, people["admin"]), db.session.get(User, user_id))
    assert post_form(client, f"{url}/learners/{user_id}/code", {}, form_url=url).status_code == 403


def db_user_id(app, username) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_a_teacher_prints_a_code_for_an_imported_account_in_their_class(app, client, people, places):
    """An account an administrator imported has no password of its own: once its owner is in
    the class (with the join code), their teacher may print them a new code."""
    with app.app_context():
        imported = User(username="ydam", username_key="ydam", full_name="Y Đam", role=Role.LEARNER,
                        target_group="citizens", place_id=places["village"], created_by_id=people["admin"],
                        created_via=AccountOrigin.IMPORT)
        db.session.add(imported)
        db.session.commit()
        imported_id = imported.id
    class_id = make_class(app, people["teacher"], [imported_id])
    login(client, "cogiao")
    url = f"/teach/classes/{class_id}"
    assert f"/learners/{imported_id}/code" in client.get(url).get_data(as_text=True)
    assert post_form(client, f"{url}/learners/{imported_id}/code", {}, form_url=url).status_code == 200
    assert count(app, AuditEntry, AuditEntry.action == "class.sign_in_code") == 1


def test_a_code_needs_a_member_of_the_teachers_own_class(app, client, people, places):
    class_id = make_class(app, people["teacher"], place=places["village"])
    made = teacher_made_account(app, people["teacher"], class_id)
    stranger_class = make_class(app, people["stranger"])
    login(client, "thaykhac")
    url = f"/teach/classes/{stranger_class}"
    # Through the stranger's own class (she is not in it), and through the class he does not teach.
    assert post_form(client, f"{url}/learners/{made}/code", {}, form_url=url).status_code == 404
    assert post_form(client, f"/teach/classes/{class_id}/learners/{made}/code", {}, form_url=url).status_code == 404
    log_out(client)
    # A learner cannot print codes at all.
    login(client, "hocvienan")
    token = csrf_token(client, "/")
    assert client.post(f"/teach/classes/{class_id}/learners/{made}/code",
                       data={"csrf_token": token}).status_code == 403
    assert count(app, AuditEntry) == 1  # the one written when the account was made
    assert count(app, SignInCode, SignInCode.used_at.is_(None)) == 1


def test_an_administrator_may_print_a_code_for_any_member_and_reset_any_account(app, client, people):
    class_id = make_class(app, people["teacher"], [people["an"]])
    with app.app_context():
        db.session.add(LoginSession(token_hash="x" * 64, user_id=people["an"], expires_at=utcnow() + timedelta(days=1)))
        db.session.commit()
    login(client, "quantri")
    url = f"/teach/classes/{class_id}"
    assert post_form(client, f"{url}/learners/{people['an']}/code", {}, form_url=url).status_code == 200
    page = post_form(client, f"/admin/users/{people['an']}/reset", {}, form_url=f"/admin/users/{people['an']}")
    assert page.status_code == 200 and CODE_RE.search(page.get_data(as_text=True))
    with app.app_context():
        an = db.session.get(User, people["an"])
        assert an.password_hash is None and an.password_chosen_at is not None  # she had chosen one
        assert db.session.scalar(select(func.count()).select_from(LoginSession)
                                 .where(LoginSession.user_id == an.id)) == 0
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_id, e.details) for e in entries] == [
            ("class.sign_in_code", people["admin"], {"username": "hocvienan", "class": "Lớp thôn 1",
                                                     "new_account": False}),
            ("user.reset", people["admin"], {"username": "hocvienan", "had_password": True})]


def test_the_audit_log_lists_every_code_printed_and_every_reset(app, client, people, places):
    class_id = make_class(app, people["teacher"], place=places["village"])
    made = teacher_made_account(app, people["teacher"], class_id)
    with app.app_context():
        teacher, group = db.session.get(User, people["teacher"]), db.session.get(ClassGroup, class_id)
        services.print_sign_in_code(teacher, group, db.session.get(User, made))
        from lms.admin.services import reset_with_code
        reset_with_code(db.session.get(User, people["admin"]), db.session.get(User, people["an"]))
    login(client, "quantri", lang=None)  # Vietnamese
    page = client.get("/admin/audit").get_data(as_text=True)
    body = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<tbody>"):page.index("</tbody>")])).split())
    assert body.count("In mã đăng nhập dùng một lần cho học viên của lớp") == 2
    assert "Lớp: Lớp thôn 1" in body and "Cho tài khoản mới: Có" in body and "Cho tài khoản mới: Không" in body
    assert "Hờ A Dơ (hoado)" in body and "cogiao" in body  # for whom, and who printed it
    assert "Cấp mã đăng nhập dùng một lần (đặt lại mật khẩu)" in body and "Đã có mật khẩu: Có" in body
    only_codes = client.get("/admin/audit?action=class.sign_in_code").get_data(as_text=True)
    assert "Cấp mã đăng nhập dùng một lần (đặt lại mật khẩu)" not in only_codes.split("<tbody>", 1)[1]


# --- who chose a password -----------------------------------------------------------------

def test_registering_or_changing_a_password_makes_it_the_owners_own(app, client, places, make_user):
    post_form(client, "/register", {"full_name": "Y Khoa Niê", "username": "ykhoa", "password": "ba con mèo nhỏ",
                                    "confirm": "ba con mèo nhỏ", "target_group": "citizens",
                                    "village": str(places["village"])})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "ykhoa"))
        assert user.created_via == AccountOrigin.SELF and user.created_by_id is None
        assert user.password_chosen_at is not None and user.has_own_password
        first = user.password_chosen_at
    assert post_form(client, "/account/password", {"current": "ba con mèo nhỏ", "password": "bốn con mèo lớn",
                                                   "confirm": "bốn con mèo lớn"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.password_chosen_at).where(User.username == "ykhoa")) >= first


def test_the_migration_treats_every_existing_password_as_its_owners(tmp_path, courses_dir):
    """Upgrading a database with accounts: those with a password count as having their own (only
    an administrator can give them a code); those without stay open to their teachers' codes.
    Downgrading removes the columns in place, without touching any other row."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from lms import create_app
    from tests.conftest import _config

    url = "sqlite:///" + str(tmp_path / "old.db")
    app = create_app(_config(url, tmp_path / "instance", courses_dir))
    now = "2026-01-05 08:00:00"
    with app.app_context():
        upgrade(revision="0006")
        user = sa.table("user_account", *(sa.column(c) for c in (
            "id", "username", "username_key", "full_name", "role", "is_active_account", "is_mentor", "created_at",
            "password_hash")))
        session = sa.table("login_session", *(sa.column(c) for c in ("id", "token_hash", "user_id", "created_at",
                                                                       "expires_at")))
        with db.engine.begin() as connection:
            connection.execute(user.insert(), [
                {"id": 1, "username": "huong", "username_key": "huong", "full_name": "Hường", "role": "learner",
                 "is_active_account": True, "is_mentor": False, "created_at": now, "password_hash": "scrypt:x"},
                {"id": 2, "username": "binh", "username_key": "binh", "full_name": "Bình", "role": "learner",
                 "is_active_account": True, "is_mentor": False, "created_at": now, "password_hash": None}])
            connection.execute(session.insert().values(id=1, token_hash="t" * 64, user_id=1, created_at=now,
                                                       expires_at=now))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT id, password_chosen_at IS NOT NULL, created_by_id, created_via FROM user_account ORDER BY id"))
            assert [tuple(r) for r in rows] == [(1, 1, None, None), (2, 0, None, None)]
        downgrade(revision="0006")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("user_account")}
            assert not columns & {"password_chosen_at", "created_by_id", "created_via"}
            assert "class_invitation" not in sa.inspect(connection).get_table_names()
            assert connection.execute(sa.text("SELECT count(*) FROM user_account")).scalar() == 2
            assert connection.execute(sa.text("SELECT count(*) FROM login_session")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
