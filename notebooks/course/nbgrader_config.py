"""nbgrader configuration of the sample course (the service keeps its own copy per class)."""

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "tin-hoc-10"
