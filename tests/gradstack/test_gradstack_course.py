"""The course format: loading, validation errors, edition policies, markers."""

import pytest

from gradstack.course import CourseError, load_course


def test_fixture_course_lists_assignments_tasks_points_and_markers(course):
    hw1 = course.assignment("hw1")
    assert [a.id for a in course.assignments] == ["hw1", "hw2", "hw3"]
    assert [t.id for t in hw1.tasks] == ["hw1.mul_backward", "hw1.tanh_backward",
                                        "hw1.relu_backward", "hw1.exp_log_backward"]
    assert hw1.points == 50
    assert hw1.task("hw1.relu_backward").marker == "hw1_relu_backward"
    assert hw1.task("hw1.mul_backward").grader_tests == 2


def test_policies_stub_this_and_later_assignments_and_follow_earlier(course):
    hw1, hw2 = course.assignment("hw1"), course.assignment("hw2")
    assert course.policy(hw1, "hw1") == "stub"
    assert course.policy(hw1, "hw2") == "stub"  # later
    assert course.policy(hw1, "hw3") == "reference"  # later, but [edition] reference = ["hw3"]
    assert course.policy(hw2, "hw3") == "stub"  # later
    assert course.policy(hw2, "hw1") == "reference"  # earlier = "reference"
    assert course.policy(hw2, "lesson9") == "reference"  # not in the course


def _write(tmp_path, toml, name="hw1"):
    (tmp_path / name).mkdir()
    (tmp_path / name / "assignment.toml").write_text(toml)
    return tmp_path


GOOD_TASK = '[[tasks]]\nid = "hw1.a"\npoints = 1\npublic = ["tests/test_a.py"]\n'


def test_earlier_can_be_stubbed_per_edition(tmp_path):
    _write(tmp_path, 'id = "hw1"\n' + GOOD_TASK)
    _write(tmp_path, 'id = "hw2"\n[edition]\nearlier = "stub"\n'
           + GOOD_TASK.replace("hw1.a", "hw2.a").replace("test_a", "test_b"), "hw2")
    course = load_course(tmp_path)
    assert course.policy(course.assignment("hw2"), "hw1") == "stub"


@pytest.mark.parametrize("toml, message", [
    ('id = "other"\n' + GOOD_TASK, "must equal the folder name"),
    ('id = "hw1"\n', "no \\[\\[tasks\\]\\]"),
    ('id = "hw1"\n' + GOOD_TASK.replace("hw1.a", "hw2.a"), "must look like 'hw1.<name>'"),
    ('id = "hw1"\n' + GOOD_TASK.replace("points = 1", "points = 0"), "positive number"),
    ('id = "hw1"\n[[tasks]]\nid = "hw1.a"\npoints = 1\n', "the task has no tests"),
    ('id = "hw1"\n' + GOOD_TASK + 'grader = ["grader/test_a.py"]\n', "share a name"),
    ('id = "hw1"\n[edition]\nearlier = "solved"\n' + GOOD_TASK, "use 'reference' or 'stub'"),
    ('id = "hw1"\n' + GOOD_TASK + '[[tasks.variants]]\nname = "x"\n', "lacks code, expect"),
])
def test_bad_assignment_toml_says_what_and_where(tmp_path, toml, message):
    _write(tmp_path, toml)
    with pytest.raises(CourseError, match=message) as error:
        load_course(tmp_path)
    assert "assignment.toml" in str(error.value)


def test_unknown_assignment_names_the_known_ones(course):
    with pytest.raises(CourseError, match="has no assignment 'hw9' \\(it has: hw1, hw2, hw3\\)"):
        course.assignment("hw9")


def test_uses_must_name_other_tasks_of_the_assignment(tmp_path):
    two = GOOD_TASK + GOOD_TASK.replace("hw1.a", "hw1.b").replace("test_a", "test_b")
    _write(tmp_path, 'id = "hw1"\n' + two + 'uses = ["hw1.a"]\n')
    assert load_course(tmp_path).assignment("hw1").task("hw1.b").uses == ("hw1.a",)
    (tmp_path / "hw1" / "assignment.toml").write_text('id = "hw1"\n' + two + 'uses = ["hw1.c"]\n')
    with pytest.raises(CourseError, match=r"'uses' names \['hw1.c'\], which are not other tasks"):
        load_course(tmp_path)
