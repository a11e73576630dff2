"""Certificates: issued once on completion, PDF with every diacritic and a QR code, public
verification, Open Badges, who may download, administrators' revoke and re-issue, class ZIP."""
from __future__ import annotations

import io
import json
import threading
import unicodedata
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.certificates import codes, services
from lms.extensions import db
from lms.models import (
    AuditEntry,
    Certificate,
    ClassGroup,
    ClassMember,
    ClassTeacher,
    CourseModule,
    Lesson,
    LessonProgress,
    QuizAttempt,
    Role,
    TargetGroup,
    User,
)
from lms.models.base import utcnow
from lms.quiz import services as quiz
from tests.helpers import csrf_token, log_in, post_form

PUBLIC = "https://lopso.krong-a.example"
RIGHT = {"cai-tu-dau": "a", "cong-an-goi-video": "false", "so-chu-so": "6"}


@pytest.fixture
def app_config():
    return {"PUBLIC_URL": PUBLIC}


@pytest.fixture
def issuer(app):
    with app.app_context():
        admin = User(username="sys", username_key="sys", full_name="Hệ thống", role=Role.ADMIN)
        db.session.add(admin)
        db.session.flush()
        services.save_issuer(admin, services.Issuer(
            name="Ủy ban nhân dân xã Krông Á", place="Krông Á", signer_title="Chủ tịch",
            signer_name="Y Blin Niê", national_header=True, email="ubnd@krong-a.example"))


def login(client, username):
    assert log_in(client, username).status_code == 302


def complete_beta(app, user_id):
    """Finish the only lesson and pass the quiz of course beta, through the services."""
    with app.app_context():
        user = db.session.get(User, user_id)
        lesson = db.session.scalar(select(Lesson).where(Lesson.key == "b1"))
        from lms.learn.services import mark_done
        mark_done(user, lesson)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = quiz.start_attempt(user, module)
        form = {f"q{i}": [RIGHT[q["id"]]] for i, q in enumerate(attempt.questions)}
        assert quiz.submit_attempt(attempt.id, form).passed


def certificate_of(app, user_id) -> Certificate:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == user_id))
        db.session.expunge(cert)
        return cert


def count_certificates(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Certificate))


# --- codes --------------------------------------------------------------------------------

def test_codes_are_long_unambiguous_and_forgiving_on_entry():
    seen = {codes.new_code() for _ in range(2000)}
    assert len(seen) == 2000
    assert all(len(c) == 12 and set(c) <= set(codes.ALPHABET) for c in seen)
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2 ** 60
    assert not set("01IO") & set(codes.ALPHABET)
    assert codes.display("K7QM4XRT9PHW") == "K7QM-4XRT-9PHW"
    assert codes.normalize(" k7qm 4xrt-9phw ") == "K7QM4XRT9PHW"
    assert codes.normalize("K7QM–4XRT–9PHW") == "K7QM4XRT9PHW"  # an en dash from a word processor
    assert codes.normalize("K7QM-4XRT-9PH") is None
    assert codes.normalize("K7QM-4XRT-9PH0") is None  # zero is not in the alphabet


# --- issuing ------------------------------------------------------------------------------

def test_completing_a_course_issues_one_certificate_with_a_snapshot(app, client, make_user, loaded, issuer):
    learner = make_user(full_name="Nguyễn Thị Hường")
    login(client, "nguoidan")
    lesson_page = "/courses/beta/only/b1"
    post_form(client, lesson_page + "/done", {}, form_url=lesson_page)
    assert count_certificates(app) == 0  # lessons alone are not enough: the quiz is not passed
    response = post_form(client, "/courses/beta/only/quiz/start", {}, form_url="/courses/beta/only/quiz")
    attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        # The page sends opaque per-attempt field names and values: encode the answers as it does.
        answers = quiz.attempt_form(attempt).encode({f"q{i}": RIGHT[q["id"]] for i, q in enumerate(attempt.questions)})
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}")
    client.post(f"/quiz/attempts/{attempt_id}", data={
        "csrf_token": token, "attempt": str(attempt_id), "action": "submit", **answers})
    cert = certificate_of(app, learner)
    assert (cert.learner_name, cert.target_group, cert.course_id, cert.course_version) == (
        "Nguyễn Thị Hường", "citizens", "beta", "1.0.0")
    assert cert.place_name == "Thôn 1, Xã Krông Á, Tỉnh Đắk Lắk"
    assert (cert.course_title_vi, cert.score) == ("Khóa Beta", 100.0)
    assert (cert.issuer_name, cert.issuer_place, cert.signer_title, cert.signer_name) == (
        "Ủy ban nhân dân xã Krông Á", "Krông Á", "Chủ tịch", "Y Blin Niê")
    page = client.get("/certificates").get_data(as_text=True)
    assert cert.display_code in page and "Khóa Beta" in page
    for shown_on in ("/courses/beta", f"/quiz/attempts/{attempt_id}/review"):
        page = client.get(shown_on).get_data(as_text=True)
        assert f"/certificates/{cert.display_code}.pdf" in page and "Giấy chứng nhận của bạn đã sẵn sàng." in page
    # Later changes do not touch a certificate already issued.
    with app.app_context():
        db.session.get(User, learner).full_name = "Tên Đã Đổi"
        db.session.commit()
        assert services.issue_if_complete(learner, "beta").learner_name == "Nguyễn Thị Hường"
    assert count_certificates(app) == 1


def test_quiz_passed_first_then_the_last_lesson_also_issues(app, make_user, loaded, issuer):
    learner = make_user()
    with app.app_context():
        user = db.session.get(User, learner)
        module = db.session.scalar(select(CourseModule).where(CourseModule.key == "only"))
        attempt = quiz.start_attempt(user, module)
        quiz.submit_attempt(attempt.id, {f"q{i}": [RIGHT[q["id"]]] for i, q in enumerate(attempt.questions)})
    assert count_certificates(app) == 0
    with app.app_context():
        from lms.learn.services import mark_done
        mark_done(db.session.get(User, learner), db.session.scalar(select(Lesson).where(Lesson.key == "b1")))
    assert count_certificates(app) == 1


def test_concurrent_completion_issues_exactly_one_certificate(app, make_user, loaded, issuer):
    learner = make_user()
    with app.app_context():  # the completed state, written without the services' own issuing
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.key == "b1"))
        module_id = db.session.scalar(select(CourseModule.id).where(CourseModule.key == "only"))
        db.session.add(LessonProgress(user_id=learner, lesson_id=lesson_id))
        db.session.add(QuizAttempt(user_id=learner, module_id=module_id, number=1, status="submitted",
                                   started_at=utcnow(), submitted_at=utcnow(), pass_percent=70, score=90.0,
                                   passed=True, show_answers="never", max_attempts=0, questions=[], answers={}))
        db.session.commit()
    barrier = threading.Barrier(4)
    results, failures = [], []

    def issue():
        with app.app_context():
            barrier.wait()
            try:
                results.append(services.issue_if_complete(learner, "beta").code)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(results) == 4 and len(set(results)) == 1
    assert count_certificates(app) == 1


def test_a_new_package_version_that_completes_a_course_issues_on_sync(app, make_user, loaded, issuer, courses_dir):
    learner = make_user()
    with app.app_context():
        from lms.learn.services import mark_done
        user = db.session.get(User, learner)
        for key in ("l1", "l2"):  # the first module of alpha; the second is not started
            mark_done(user, db.session.scalar(select(Lesson).where(Lesson.key == key)))
    assert count_certificates(app) == 0
    manifest = courses_dir / "alpha" / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    cut = text.index("  - id: m2")  # drop the second module
    manifest.write_text(text[:cut].replace("version: 1.0.0", "version: 1.1.0"), encoding="utf-8")
    from lms.content.sync import sync_packages
    with app.app_context():
        report = sync_packages(courses_dir)
        assert "alpha" in report.updated and report.certificates_issued == 1
    cert = certificate_of(app, learner)
    assert (cert.course_id, cert.course_version, cert.score) == ("alpha", "1.1.0", None)


# --- PDF ----------------------------------------------------------------------------------

def pdf_of(client, code):
    response = client.get(f"/certificates/{code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("name", ["Nguyễn Thị Hường", "Y Khoa Niê", "Hờ A Dơ", "Đặng Thị Ửng Quỳnh"])
def test_pdf_text_keeps_every_diacritic(app, client, make_user, loaded, issuer, name):
    import unicodedata
    learner = make_user(full_name=unicodedata.normalize("NFD", name))  # typed decomposed on some phones
    complete_beta(app, learner)
    login(client, "nguoidan")
    data = pdf_of(client, certificate_of(app, learner).display_code)
    assert len(data) < 200 * 1024
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((841.89, 595.28), abs=1)
    text = unicodedata.normalize("NFC", page.extract_text())
    assert name in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập – Tự do – Hạnh phúc" in text
    assert "Khóa Beta" in text and "Y Blin Niê" in text and "GIẤY CHỨNG NHẬN" in text
    fonts = {str(f) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts  # embedded fonts only
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        assert "SourceSansPro" in str(font.get_object()["/BaseFont"])


def test_pdf_qr_code_holds_the_verification_address(app, client, make_user, loaded, issuer):
    zxingcpp = pytest.importorskip("zxingcpp")
    learner = make_user()
    complete_beta(app, learner)
    login(client, "nguoidan")
    cert = certificate_of(app, learner)
    reader = PdfReader(io.BytesIO(pdf_of(client, cert.display_code)))
    images = reader.pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(images[0].image.convert("L"))
    assert [b.text for b in found] == [f"{PUBLIC}/verify/{cert.display_code}"]


def test_national_header_can_be_left_out(app, client, make_user, loaded, issuer):
    with app.app_context():
        who = services.issuer()
        who.national_header = False
        services.save_issuer(db.session.scalar(select(User).where(User.username == "sys")), who)
    learner = make_user()
    complete_beta(app, learner)
    login(client, "nguoidan")
    text = PdfReader(io.BytesIO(pdf_of(client, certificate_of(app, learner).display_code))).pages[0].extract_text()
    assert "CỘNG HÒA" not in text and "ỦY BAN NHÂN DÂN XÃ KRÔNG Á" in text


# --- who may see a certificate ------------------------------------------------------------

def test_only_owner_their_teacher_and_admins_may_open_or_download(app, client, make_user, loaded, issuer):
    owner = make_user()
    make_user(username="hangxom", full_name="Hàng Xóm")
    their_teacher = make_user(username="cogiao", role=Role.TEACHER, group=None)
    make_user(username="thaykhac", role=Role.TEACHER, group=None)
    make_user(username="quantri", role=Role.ADMIN, group=None)
    with app.app_context():
        group = ClassGroup(name="Lớp thôn 1")
        db.session.add(group)
        db.session.flush()
        db.session.add_all([ClassTeacher(class_id=group.id, user_id=their_teacher),
                            ClassMember(class_id=group.id, user_id=owner)])
        db.session.commit()
    complete_beta(app, owner)
    code = certificate_of(app, owner).display_code
    assert client.get(f"/certificates/{code}.pdf").status_code == 302  # anonymous: log in first
    for username, allowed in [("hangxom", False), ("thaykhac", False), ("cogiao", True), ("quantri", True),
                              ("nguoidan", True)]:
        login(client, username)
        for path in (f"/certificates/{code}.pdf", f"/certificates/{code}"):
            assert client.get(path).status_code == (200 if allowed else 404), (username, path)
        post_form(client, "/logout", {}, form_url="/")


def test_printable_page_shows_the_certificate_with_its_qr(app, client, make_user, loaded, issuer):
    learner = make_user()
    complete_beta(app, learner)
    login(client, "nguoidan")
    code = certificate_of(app, learner).display_code
    page = client.get(f"/certificates/{code.lower()}", follow_redirects=True).get_data(as_text=True)
    assert "Nguyễn Thị Hường" in page and "<svg" in page and f"{PUBLIC}/verify/{code}" in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page


# --- public verification ------------------------------------------------------------------

def test_verify_valid_revoked_and_unknown(app, client, make_user, loaded, issuer):
    learner = make_user()
    complete_beta(app, learner)
    code = certificate_of(app, learner).display_code
    client.set_cookie("lang", "en")
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Valid certificate" in text and "Nguyễn Thị Hường" in text and "Beta course" in text
    assert "Ủy ban nhân dân xã Krông Á" in text
    for private in ("Thôn 1", "nguoidan", "100", "Adult residents"):  # place, username, score, group
        assert private not in text
    # As typed by someone reading it aloud: small letters, spaces instead of dashes.
    typed = client.get("/verify", query_string={"code": code.lower().replace("-", " ")}, follow_redirects=True)
    assert "Valid certificate" in typed.get_data(as_text=True)
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "sys"))
        services.revoke(admin, services.by_code(code), "Cấp nhầm người")
    text = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Revoked certificate" in text and "Valid certificate" not in text
    assert "Cấp nhầm người" not in text  # the reason stays with the administrators
    unknown = client.get("/verify/ABCD-EFGH-JKMN")
    assert unknown.status_code == 404 and "Unknown code" in unknown.get_data(as_text=True)
    malformed = client.get("/verify", query_string={"code": "O0O0"})
    assert malformed.status_code == 404 and "Unknown code" in malformed.get_data(as_text=True)


def test_verification_is_rate_limited(make_app):
    from lms.extensions import limiter
    app = make_app(VERIFY_LIMIT_PER_ADDRESS="5 per minute")
    limiter.reset()
    client = app.test_client()
    statuses = [client.get(f"/verify/ABCD-EFGH-JK{n}{n}").status_code for n in range(2, 9)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    limiter.reset()


# --- Open Badges 2.0 ----------------------------------------------------------------------

def test_open_badges_assertion_badge_class_and_issuer(app, client, make_user, loaded, issuer):
    learner = make_user()
    complete_beta(app, learner)
    code = certificate_of(app, learner).display_code
    response = client.get(f"/badges/assertions/{code}.json")
    assert response.status_code == 200
    assertion = json.loads(response.data)
    for key in ("@context", "type", "id", "recipient", "badge", "verification", "issuedOn"):
        assert key in assertion, key
    assert assertion["@context"] == "https://w3id.org/openbadges/v2" and assertion["type"] == "Assertion"
    assert assertion["id"] == f"{PUBLIC}/badges/assertions/{code}.json"
    assert assertion["verification"] == {"type": "hosted"}
    recipient = assertion["recipient"]
    assert recipient["hashed"] is True and recipient["identity"].startswith("sha256$") and recipient["type"] in (
        "email", "url", "telephone")
    assert "Nguyễn" not in response.get_data(as_text=True)  # no personal data in the open
    badge = json.loads(client.get(assertion["badge"].removeprefix(PUBLIC)).data)
    for key in ("@context", "type", "id", "name", "description", "image", "criteria", "issuer"):
        assert key in badge, key
    assert badge["type"] == "BadgeClass" and badge["id"] == assertion["badge"] and badge["name"] == "Khóa Beta"
    assert client.get(badge["image"].removeprefix(PUBLIC)).mimetype == "image/svg+xml"
    profile = json.loads(client.get(badge["issuer"].removeprefix(PUBLIC)).data)
    for key in ("@context", "type", "id", "name", "url", "email"):
        assert key in profile, key
    assert profile["type"] == "Issuer" and profile["id"] == badge["issuer"] and profile["email"] == "ubnd@krong-a.example"
    with app.app_context():
        services.revoke(db.session.scalar(select(User).where(User.username == "sys")), services.by_code(code), "Sai")
    gone = client.get(f"/badges/assertions/{code}.json")
    assert gone.status_code == 410 and json.loads(gone.data)["revoked"] is True
    assert client.get("/badges/assertions/ABCD-EFGH-JKMN.json").status_code == 404


# --- administrators -----------------------------------------------------------------------

def test_admin_revokes_with_a_reason_and_reissues_both_audited(app, client, make_user, loaded, issuer):
    learner = make_user(full_name="Nguyen Thi Huong")
    make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản")
    complete_beta(app, learner)
    old = certificate_of(app, learner).display_code
    login(client, "quantri")
    client.set_cookie("lang", "en")
    listing = client.get("/admin/certificates", query_string={"q": "nguyen"}).get_data(as_text=True)
    assert old in listing
    # No reason: refused with a message, nothing changes.
    response = post_form(client, f"/admin/certificates/{old}/revoke", {"reason": "  "}, form_url="/admin/certificates")
    assert "Write the reason for revoking or re-issuing" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert certificate_of(app, learner).revoked_at is None
    # Correct the name, then re-issue: a new code with the new name; the old one is revoked.
    with app.app_context():
        db.session.get(User, learner).full_name = "Nguyễn Thị Hường"
        db.session.commit()
    post_form(client, f"/admin/certificates/{old}/reissue", {"reason": "Sửa tên có dấu"}, form_url="/admin/certificates")
    with app.app_context():
        certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert len(certs) == 2
        first, second = certs
        assert first.revoked_at is not None and first.replaced_by_id == second.id
        assert second.is_valid and second.learner_name == "Nguyễn Thị Hường" and second.display_code != old
        new_code = second.display_code
    post_form(client, f"/admin/certificates/{new_code}/revoke", {"reason": "Học viên gian lận"},
              form_url="/admin/certificates")
    with app.app_context():
        assert services.by_code(new_code).revoked_reason == "Học viên gian lận"
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("certificate.%"))
                                     .order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_name, e.target) for e in entries] == [
            ("certificate.reissue", "quantri", f"certificate:{old.replace('-', '')}"),
            ("certificate.revoke", "quantri", f"certificate:{new_code.replace('-', '')}")]
        assert entries[0].details["reason"] == "Sửa tên có dấu"
    # Revoked certificates stay revoked: completing again issues nothing new.
    with app.app_context():
        assert services.issue_if_complete(learner, "beta") is None
    assert count_certificates(app) == 2


def test_admin_finds_certificates_by_name_ignoring_case_and_diacritics(app, client, make_user, loaded, issuer):
    huong = make_user(username="huong", full_name="Nguyễn Thị Hường")
    binh = make_user(username="binh", full_name="Trần Thị Bình")
    complete_beta(app, huong)
    complete_beta(app, binh)
    huong_code, binh_code = certificate_of(app, huong).display_code, certificate_of(app, binh).display_code
    make_user(username="quantri", role=Role.ADMIN, group=None, full_name="Lê Văn Quản")
    login(client, "quantri")

    def listed(query):
        page = client.get("/admin/certificates", query_string={"q": query}).get_data(as_text=True)
        return {code for code in (huong_code, binh_code) if code in page}

    for typed in ("huong", "HUONG", "nguyen thi", "Nguyễn Thị", unicodedata.normalize("NFD", "Nguyễn Thị Hường")):
        assert listed(typed) == {huong_code}, typed
    assert listed("thi") == {huong_code, binh_code}
    assert listed("khoa beta") == {huong_code, binh_code}  # course titles too
    assert listed("nguyen van") == listed("10%") == set()
    # The learner's name today finds the certificate that printed the old one.
    with app.app_context():
        db.session.get(User, binh).full_name = "Trần Thị Bích"
        db.session.commit()
    assert listed("tran thi bich") == {binh_code}
    # Once a person's data is deleted, their name finds nothing.
    from lms.admin.services import anonymize
    with app.app_context():
        anonymize(db.session.scalar(select(User).where(User.username == "quantri")), db.session.get(User, huong))
        assert certificate_of(app, huong).learner_name_key == f"nguoi dung da xoa #{huong}"
    assert listed("huong") == set()


def test_issuer_form_validates_and_is_audited(app, client, make_user):
    make_user(username="quantri", role=Role.ADMIN, group=None)
    login(client, "quantri")
    client.set_cookie("lang", "en")
    bad = post_form(client, "/admin/issuer", {"name": "", "place": "Krông Á", "signer_title": "Chủ tịch",
                                               "signer_name": "A", "email": "not-an-address"})
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "Write the name of the issuing body." in text and "This e-mail address is not valid." in text
    with app.app_context():
        assert services.issuer().name != ""  # defaults, nothing saved
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    good = post_form(client, "/admin/issuer", {"name": "UBND xã Krông Á", "place": "Krông Á",
                                                "signer_title": "Chủ tịch", "signer_name": "Y Blin Niê",
                                                "national_header": "y"})
    assert good.status_code == 302
    with app.app_context():
        assert services.issuer().name == "UBND xã Krông Á"
        assert db.session.scalar(select(AuditEntry.action)) == "issuer.update"


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TEACHER])
def test_admin_certificate_pages_are_for_admins_only(app, client, make_user, loaded, issuer, role):
    learner = make_user(username="hocvien")
    complete_beta(app, learner)
    code = certificate_of(app, learner).display_code
    make_user(username="khach", role=role, group=TargetGroup.CITIZENS if role == Role.LEARNER else None)
    login(client, "khach")
    assert client.get("/admin/certificates").status_code == 403
    assert client.get("/admin/issuer").status_code == 403
    for action in ("revoke", "reissue"):
        token = csrf_token(client, "/certificates")
        assert client.post(f"/admin/certificates/{code}/{action}", data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert certificate_of(app, learner).is_valid and count_certificates(app) == 1


# --- a class's certificates as one ZIP ----------------------------------------------------

def test_teacher_downloads_the_class_certificates_as_one_zip(app, client, make_user, loaded, issuer):
    names = ["Nguyễn Thị Hường", "Y Khoa Niê", "Hờ A Dơ"]
    learners = [make_user(username=f"hv{i}", full_name=n) for i, n in enumerate(names)]
    outsider = make_user(username="ngoai", full_name="Người Ngoài")
    teacher = make_user(username="cogiao", role=Role.TEACHER, group=None)
    make_user(username="thaykhac", role=Role.TEACHER, group=None)
    with app.app_context():
        group = ClassGroup(name="Lớp Buôn Ea Kênh")
        db.session.add(group)
        db.session.flush()
        class_id = group.id
        db.session.add(ClassTeacher(class_id=class_id, user_id=teacher))
        db.session.add_all([ClassMember(class_id=class_id, user_id=u) for u in learners])
        db.session.commit()
    for user_id in learners + [outsider]:
        complete_beta(app, user_id)
    login(client, "cogiao")
    response = client.get(f"/classes/{class_id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len(archive.namelist()) == 3 and all(n.endswith(".pdf") for n in archive.namelist())
    import unicodedata
    texts = {unicodedata.normalize("NFC", PdfReader(io.BytesIO(archive.read(n))).pages[0].extract_text())
             for n in archive.namelist()}
    for name in names:
        assert any(name in t for t in texts)
    assert not any("Người Ngoài" in t for t in texts)
    post_form(client, "/logout", {}, form_url="/")
    login(client, "thaykhac")
    assert client.get(f"/classes/{class_id}/certificates.zip").status_code == 404
    post_form(client, "/logout", {}, form_url="/")
    login(client, "hv0")
    assert client.get(f"/classes/{class_id}/certificates.zip").status_code == 403


def test_pdfs_made_by_several_threads_at_once_are_all_whole(app, make_user, loaded, issuer):
    """A threaded server renders PDFs side by side; each must come out complete and readable."""
    learner = make_user(full_name="Đặng Thị Ửng Quỳnh")
    complete_beta(app, learner)
    code = certificate_of(app, learner).display_code
    barrier = threading.Barrier(6)
    outputs, failures = [], []

    def render():
        with app.test_request_context():
            from lms.certificates.views import render_pdf
            cert = services.by_code(code)
            barrier.wait()
            try:
                for _ in range(3):
                    outputs.append(render_pdf(cert))
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                db.session.remove()

    import sys
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads very often, as a busy server would
    try:
        threads = [threading.Thread(target=render) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == [] and len(outputs) == 18
    for data in outputs:
        assert "Đặng Thị Ửng Quỳnh" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
