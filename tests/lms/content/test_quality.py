"""The bank-quality check: figures per course and a warning per weak question."""
from __future__ import annotations

from pathlib import Path

import yaml

from lms.content.packages.manifest import check_all
from lms.content.quality import asks_recall, assess, format_table, is_situation

FIXTURES = Path(__file__).parents[2] / "fixtures" / "courses"


def single(qid, right, *wrong, prompt=None):
    options = [{"id": "a", "text": right, "correct": True}]
    options += [{"id": chr(ord("b") + i), "text": text} for i, text in enumerate(wrong)]
    return {"id": qid, "type": "single_choice", "prompt": prompt or f"Câu {qid}: nên làm gì?",
            "options": options, "explanation": "Vì vậy."}


def true_false(qid, answer, prompt=None):
    return {"id": qid, "type": "true_false", "prompt": prompt or f"Câu {qid} đúng hay sai.", "answer": answer,
            "explanation": "Vì vậy."}


def package(root: Path, course_id: str, questions: list[dict], draw: int | None = None) -> None:
    """A one-module package whose bank holds ``questions``."""
    import shutil

    if not (root / "framework.yaml").exists():
        shutil.copy(FIXTURES / "framework.yaml", root / "framework.yaml")
    folder = root / course_id
    (folder / "lessons").mkdir(parents=True)
    (folder / "quizzes").mkdir()
    (folder / "lessons" / "l1.md").write_text("**Học xong bài này, bạn sẽ:**\n\n- Biết.\n\n## Thực hành\n1. Làm.\n",
                                              encoding="utf-8")
    manifest = {"format": 1, "id": course_id, "version": "1.0.0", "title": {"vi": course_id},
                "summary": {"vi": "Thử."}, "target_groups": ["citizens"], "estimated_minutes": 10,
                "competences": ["0.1"], "sequential": False, "license": "CC BY-SA 4.0", "authors": ["Thử"],
                "modules": [{"id": "m1", "title": {"vi": "Chương"}, "quiz": "quizzes/m1.yaml",
                             "lessons": [{"id": "l1", "title": {"vi": "Bài"}, "file": "lessons/l1.md", "minutes": 5}]}]}
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    bank = {"settings": {"draw": draw} if draw else {}, "questions": questions}
    (folder / "quizzes" / "m1.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")


def checked(root: Path):
    _framework, specs, problems = check_all(root)
    assert [str(p) for p in problems if p.is_error] == []
    return assess(specs)


def test_the_longest_right_option_is_counted_and_a_much_longer_one_warned(tmp_path):
    questions = [
        single("q1", "Gọi lại cho con bằng số con vẫn dùng để hỏi", "Chuyển tiền ngay", "Bấm vào link"),
        single("q2", "Hỏi con", "Chuyển tiền cho người gọi", "Đưa mã OTP cho họ"),
        single("q3", "Không đưa mã", "Đọc mã cho họ", "Gửi ảnh mã"),
        true_false("q4", True), true_false("q5", False),
    ]
    package(tmp_path, "mot", questions)
    figures, problems = checked(tmp_path)
    quality = figures["mot"]
    assert (quality.single_choice, quality.longest_right, quality.much_longer) == (3, 1, 1)
    assert round(quality.longest_share, 2) == 0.33
    assert (quality.true_answers, quality.false_answers) == (1, 1)
    much = [p for p in problems if "much longer" in p.message]
    assert len(much) == 1 and much[0].params["id"] == "q1" and not much[0].is_error


def test_the_same_stem_in_two_courses_is_a_copy_in_both(tmp_path):
    shared = single("chung", "Hỏi người thân", "Chuyển tiền", "Bấm link",
                    prompt="Bà Lan nhận tin nhắn lạ. Bà nên làm gì?")
    package(tmp_path, "mot", [shared, true_false("t1", True)])
    changed = dict(shared, id="khac", prompt="  BÀ LAN nhận tin nhắn lạ! Bà nên làm gì ")  # case, marks, spaces
    package(tmp_path, "hai", [changed, true_false("t2", False)])
    figures, problems = checked(tmp_path)
    assert figures["mot"].copies == 1 and figures["hai"].copies == 1
    copies = sorted(p.params["courses"] for p in problems if "also asked" in p.message)
    assert copies == ["hai", "mot"]


def test_true_false_imbalance_and_small_banks_are_warned(tmp_path):
    package(tmp_path, "mot", [true_false(f"t{i}", True) for i in range(7)] + [true_false("t9", False)], draw=6)
    figures, problems = checked(tmp_path)
    messages = " | ".join(p.text() for p in problems)
    assert "7 of 8 true/false statements are true" in messages
    assert "the bank has 8 questions for 6 drawn" in messages and "(12)" in messages
    assert figures["mot"].small_banks == ["m1"]


def test_recall_and_situation_stems():
    assert asks_recall("Nghị định số bao nhiêu quy định về định danh điện tử?")
    assert asks_recall("Công văn 557/BKHCN-CĐSQG ban hành ngày nào?")
    assert asks_recall("Kế hoạch của xã đặt mục tiêu bao nhiêu phần trăm người dân có chữ ký số?")
    assert not asks_recall("Bà Lan nhận được tin nhắn báo trúng thưởng. Bà nên làm gì?")
    assert is_situation("Bà Lan nhận được tin nhắn báo trúng thưởng, kèm một đường link. Bà nên làm gì?")
    assert is_situation("Anh Tuấn muốn nộp hồ sơ khai sinh cho con trên Cổng Dịch vụ công. Bước nào anh làm trước?")
    assert not is_situation("Mã OTP là gì?")
    assert not is_situation("Nên cài ứng dụng từ đâu?")


def test_the_report_says_whether_each_course_meets_the_goals(tmp_path):
    situation = "Chị Hoa nhận cuộc gọi lạ xin mã OTP. Chị nên làm gì?"
    package(tmp_path, "dat", [single("q1", "Từ chối và cúp máy", "Đọc mã cho họ nghe", "Gửi mã qua Zalo",
                                     prompt=situation)])
    package(tmp_path, "chua", [single("q1", "Gọi lại cho con bằng số con vẫn dùng", "Chuyển", "Bấm",
                                      prompt="OTP là gì?")])
    figures, _problems = checked(tmp_path)
    assert figures["dat"].meets_goals() and not figures["chua"].meets_goals()
    table = format_table(figures)
    assert "dat\t1\t1\t0 (0%)" in table and "NOT met" in table


def test_the_cli_prints_bank_quality(runner, tmp_path):
    tmp_path = tmp_path / "packages"  # the app's own instance and courses live beside it
    tmp_path.mkdir()
    package(tmp_path, "mot", [single("q1", "Gọi lại cho con bằng số con vẫn dùng để hỏi", "Chuyển", "Bấm")])
    result = runner.invoke(args=["courses", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "question 'q1': the right option is much longer" in result.output
    result = runner.invoke(args=["courses", "report", "--dir", str(tmp_path)])
    assert "longest right" in result.output and "NOT met" in result.output
