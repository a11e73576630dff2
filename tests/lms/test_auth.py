"""Registration, log-in, rate limits, sessions, profile and password."""
from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import LoginSession, TargetGroup, User
from tests.helpers import csrf_token, post_form


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def registration(places, **overrides):
    data = {
        "full_name": "Nguyễn Thị Hường",
        "username": "huong.nguyen",
        "password": "ba con mèo nhỏ",
        "confirm": "ba con mèo nhỏ",
        "target_group": "citizens",
        "village": str(places["village"]),
    }
    data.update(overrides)
    return data


def test_register_creates_learner_and_logs_in(app, client, places):
    response = post_form(client, "/register", registration(places))
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Nguyễn Thị Hường" in home
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.username == "huong.nguyen"
        assert user.target_group == TargetGroup.CITIZENS
        assert user.place_id == places["village"]
        assert user.password_hash and "ba con mèo nhỏ" not in user.password_hash
        assert user.password_hash.startswith("scrypt:")


def test_register_keeps_diacritics_in_nfc(app, client, places):
    decomposed = unicodedata.normalize("NFD", "Hờ A Dơ")
    post_form(client, "/register", registration(places, full_name=decomposed, username="hoado"))
    with app.app_context():
        assert db.session.scalar(select(User.full_name)) == unicodedata.normalize("NFC", "Hờ A Dơ")


def test_register_with_phone_number_stores_national_form(app, client, places):
    response = post_form(client, "/register", registration(places, username="+84 912 345 678"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.username)) == "0912345678"
    # Log in with the number written another way.
    post_form(client, "/logout", {}, form_url="/")
    response = post_form(client, "/login", {"username": "0912.345.678", "password": "ba con mèo nhỏ"})
    assert response.status_code == 302


@pytest.mark.parametrize("overrides, message", [
    ({"username": "+84 12 34"}, "is not a Vietnamese mobile number"),
    ({"username": "0212345678"}, "is not a Vietnamese mobile number"),
    ({"username": "09123456789"}, "is not a Vietnamese mobile number"),
    ({"password": "ngắn", "confirm": "ngắn"}, "The password is too short"),
    ({"password": "12345678", "confirm": "12345678"}, "too easy to guess"),
    ({"confirm": "khác hẳn"}, "The two passwords are not the same"),
    ({"target_group": ""}, "Choose the group you belong to"),
    ({"target_group": "aliens"}, "Choose the group you belong to"),
    ({"village": ""}, "Choose your village or residential group"),
    ({"village": "999999"}, "Choose your village or residential group"),
    ({"village": "abc"}, "Choose your village or residential group"),
    ({"full_name": ""}, "Write your full name"),
    ({"full_name": "12345"}, "Write your full name as on your ID card"),
    ({"username": "a"}, "A username has 3 to 40 characters"),
    ({"username": "<script>"}, "A username has 3 to 40 characters"),
])
def test_register_rejects_bad_input(app, client, places, overrides, message):
    client.set_cookie("lang", "en")
    response = post_form(client, "/register", registration(places, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_count(app) == 0


def test_register_rejects_commune_as_village(app, client, places):
    client.set_cookie("lang", "en")
    response = post_form(client, "/register", registration(places, village=str(places["commune"])))
    assert response.status_code == 400
    assert user_count(app) == 0


@pytest.mark.parametrize("taken, attempt", [
    ("Huong.Nguyen", "huong.nguyen"),
    ("huong.nguyen", "HUONG.NGUYEN"),
    ("Hường", unicodedata.normalize("NFD", "hƯỜNG")),
])
def test_register_refuses_name_taken_in_another_case_or_form(app, client, places, make_user, taken, attempt):
    make_user(username=taken)
    client.set_cookie("lang", "en")
    response = post_form(client, "/register", registration(places, username=attempt))
    assert response.status_code == 400
    assert "is already used by another account" in response.get_data(as_text=True)
    assert user_count(app) == 1


def test_register_error_messages_are_translated(app, client, places):
    response = post_form(client, "/register", registration(places, password="ngắn", confirm="ngắn"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The password is too short" not in page
    assert "Mật khẩu" in page


def test_forged_csrf_token_is_refused_and_stores_nothing(app, client, places):
    client.get("/register")
    data = registration(places)
    response = client.post("/register", data={"csrf_token": "forged-token", **data})
    assert response.status_code == 400
    response = client.post("/register", data=data)  # no token at all
    assert response.status_code == 400
    assert user_count(app) == 0


def test_csrf_token_from_another_session_is_refused(app, places):
    other = app.test_client()
    token = csrf_token(other, "/register")
    client = app.test_client()
    client.get("/register")
    response = client.post("/register", data={"csrf_token": token, **registration(places)})
    assert response.status_code == 400
    assert user_count(app) == 0


def test_login_and_logout(app, client, make_user, auth):
    make_user()
    assert auth.login().status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_gives_clear_message(app, client, make_user, auth):
    make_user()
    client.set_cookie("lang", "en")
    response = auth.login(password="sai mật khẩu")
    assert response.status_code == 401
    assert "The username or password is not right" in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_message(app, client, auth):
    client.set_cookie("lang", "en")
    response = auth.login(username="khongtontai")
    assert "The username or password is not right" in response.get_data(as_text=True)


def test_login_is_case_insensitive(app, client, make_user, auth):
    make_user(username="NguoiDan")
    assert auth.login(username="nguoidan").status_code == 302


def test_deactivated_account_cannot_log_in(app, client, make_user, auth):
    user_id = make_user()
    with app.app_context():
        db.session.get(User, user_id).is_active_account = False
        db.session.commit()
    assert auth.login().status_code == 401


def test_login_rate_limited_per_account(app, client, make_user, auth):
    make_user()
    client.set_cookie("lang", "en")
    for _ in range(5):
        assert auth.login(password="sai mật khẩu").status_code == 401
    response = auth.login()  # even the right password waits now
    assert response.status_code == 429
    assert "too many tries" in response.get_data(as_text=True).lower()
    # Another address trying the same account is limited too.
    other = app.test_client()
    response = post_form(other, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429


def test_login_rate_limited_per_address(app, client, make_user, auth):
    make_user(username="motnguoi")
    for i in range(20):
        assert auth.login(username=f"tenthu{i}", password="sai").status_code == 401
    response = auth.login(username="motnguoi")
    assert response.status_code == 429


def test_successful_logins_do_not_count_against_the_limit(app, client, make_user, auth):
    make_user()
    for _ in range(7):
        assert auth.login().status_code == 302
        auth.logout()


def test_logout_really_ends_the_session(app, client, make_user, auth):
    make_user()
    auth.login()
    cookie = client.get_cookie("session")
    assert cookie is not None
    auth.logout()
    # Replaying the old cookie (as a thief would) does not log anyone in.
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    response = thief.get("/account")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginSession.id))) == 0


def test_session_survives_a_server_restart(app, client, make_user, auth, make_app):
    make_user()
    auth.login()
    cookie = client.get_cookie("session")
    restarted = make_app()  # a new process: same database, same secret key
    browser = restarted.test_client()
    browser.set_cookie("session", cookie.value)
    assert browser.get("/account").status_code == 200


def test_safe_redirect_after_login(app, client, make_user):
    make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/", data={
        "csrf_token": token, "username": "nguoidan", "password": "mật khẩu dài 123"})
    assert response.headers["Location"] == "/"
    post_form(client, "/logout", {}, form_url="/")
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/account", data={
        "csrf_token": token, "username": "nguoidan", "password": "mật khẩu dài 123"})
    assert response.headers["Location"] == "/account"


def test_change_password_logs_out_other_browsers(app, make_user):
    make_user()
    phone, computer = app.test_client(), app.test_client()
    for browser in (phone, computer):
        post_form(browser, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    response = post_form(phone, "/account/password", {
        "current": "mật khẩu dài 123", "password": "mật khẩu mới tinh", "confirm": "mật khẩu mới tinh"})
    assert response.status_code == 302
    assert phone.get("/account").status_code == 200
    assert computer.get("/account").status_code == 302
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"username": "nguoidan", "password": "mật khẩu mới tinh"}).status_code == 302


def test_change_password_needs_the_current_one(app, client, make_user, auth):
    make_user()
    auth.login()
    client.set_cookie("lang", "en")
    response = post_form(client, "/account/password", {
        "current": "đoán bừa", "password": "mật khẩu mới tinh", "confirm": "mật khẩu mới tinh"})
    assert response.status_code == 400
    assert "The current password is not right" in response.get_data(as_text=True)
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"}).status_code == 302


def test_profile_updates_optional_details(app, client, make_user, auth, places):
    user_id = make_user()
    auth.login()
    response = post_form(client, "/account", {
        "full_name": "Y Khoa Niê", "target_group": "workers", "village": str(places["village2"]),
        "household_code": "HK-0042", "birth_year": "1961"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.full_name, user.target_group, user.place_id, user.household_code, user.birth_year) == (
            "Y Khoa Niê", TargetGroup.WORKERS, places["village2"], "HK-0042", 1961)
    assert "Y Khoa Niê" in client.get("/account").get_data(as_text=True)


def test_profile_rejects_bad_birth_year_and_changes_nothing(app, client, make_user, auth, places):
    user_id = make_user()
    auth.login()
    response = post_form(client, "/account", {
        "full_name": "Tên Khác", "target_group": "workers", "village": str(places["village"]), "birth_year": "1850"})
    assert response.status_code == 400
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.full_name == "Nguyễn Thị Hường" and user.birth_year is None


@pytest.mark.parametrize("url", ["/account", "/account/password"])
def test_account_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_register_form_groups_villages_by_commune_and_keeps_choices(app, client, places):
    page = client.get("/register").get_data(as_text=True)
    assert '<optgroup label="Xã Krông Á (Tỉnh Đắk Lắk)">' in page
    response = post_form(client, "/register", registration(places, password="ngắn", confirm="ngắn"))
    page = response.get_data(as_text=True)
    assert f'<option value="{places["village"]}" selected>Thôn 1</option>' in page
    assert re.search(r'<option (selected value="citizens"|value="citizens" selected)', page)


# --- where people land after logging in ---------------------------------------------------

@pytest.mark.parametrize("role, start", [("learner", "/"), ("teacher", "/teach"), ("admin", "/admin/dashboard")])
def test_each_role_lands_on_its_own_start_page(app, client, make_user, role, start):
    from lms.models import Role
    make_user(role=Role(role), group=TargetGroup.CITIZENS if role == "learner" else None)
    response = post_form(client, "/login", {"username": "nguoidan", "password": "mật khẩu dài 123"})
    assert response.status_code == 302 and response.headers["Location"] == start
    assert client.get(start).status_code == 200
    # Already logged in: the log-in page leads there too.
    assert client.get("/login").headers["Location"] == start


@pytest.mark.parametrize("role", ["teacher", "admin"])
def test_a_safe_next_address_wins_over_the_start_page(app, client, make_user, role):
    from lms.models import Role
    make_user(role=Role(role), group=None)
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/account", data={
        "csrf_token": token, "username": "nguoidan", "password": "mật khẩu dài 123"})
    assert response.headers["Location"] == "/account"
    post_form(client, "/logout", {}, form_url="/")
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/", data={
        "csrf_token": token, "username": "nguoidan", "password": "mật khẩu dài 123"})
    assert response.headers["Location"] == ("/teach" if role == "teacher" else "/admin/dashboard")


def test_a_teacher_signing_in_with_a_one_time_code_lands_on_their_classes(app, client, make_user):
    from lms.models import Role
    from lms.teach.services import new_sign_in_code
    teacher_id = make_user(role=Role.TEACHER, group=None)
    with app.app_context():
        teacher = db.session.get(User, teacher_id)
        code = new_sign_in_code(teacher, teacher)
    response = post_form(client, "/login/code", {"username": "nguoidan", "code": code})
    assert response.headers["Location"] == "/teach"


# --- the account page: my data, asking for deletion ---------------------------------------

def test_account_page_says_in_plain_words_what_the_download_is(app, client, make_user, auth):
    make_user()
    auth.login()
    page = client.get("/account").get_data(as_text=True)
    assert "Tải về mọi thông tin Lớp Số đang lưu về bạn" in page and "(định dạng JSON)" in page
    assert "Tải về dữ liệu của tôi (JSON)" not in page


def test_deletion_request_is_recorded_only_after_confirmation(app, client, make_user, auth):
    from lms.models import AuditEntry
    user_id = make_user()
    auth.login()

    def asked_at():
        with app.app_context():
            return db.session.get(User, user_id).deletion_requested_at

    first = post_form(client, "/account/delete-request", {}, form_url="/account")  # the account page's button
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "Bạn có chắc muốn xóa dữ liệu của mình không?" in page
    assert "Bạn sẽ không đăng nhập được bằng tài khoản này nữa." in page
    assert 'name="confirm" value="yes"' in page and 'href="/account"' in page
    assert asked_at() is None
    # Not confirmed, or confirmed without the form's CSRF token: still nothing recorded.
    assert post_form(client, "/account/delete-request", {"confirm": "no"}, form_url="/account").status_code == 200
    assert client.post("/account/delete-request", data={"confirm": "yes"}).status_code == 400
    assert asked_at() is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    done = post_form(client, "/account/delete-request", {"confirm": "yes"}, form_url="/account")
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert asked_at() is not None
    assert "Đã ghi nhận yêu cầu của bạn." in client.get("/account").get_data(as_text=True)
    # Asked already: the confirmation page is not shown again.
    assert client.get("/account/delete-request").headers["Location"] == "/account"
