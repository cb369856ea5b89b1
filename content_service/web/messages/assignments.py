"""nbgrader assignment pages: Vietnamese first, English second."""

MESSAGES = {
    "assignments.task": {
        "vi": "Bài tập Jupyter (nbgrader)",
        "en": "Jupyter assignments (nbgrader)",
    },
    "assignments.title": {"vi": "Bài tập Jupyter", "en": "Jupyter assignments"},
    "assignments.back": {"vi": "← Danh sách bài tập", "en": "← All assignments"},
    "assignments.class": {"vi": "Lớp {name}", "en": "Class {name}"},
    "assignments.no_classes": {
        "vi": "Bạn chưa thuộc lớp học nào.",
        "en": "You do not belong to any class yet.",
    },
    "assignments.empty": {"vi": "Lớp chưa có bài tập nào.", "en": "No assignments yet."},
    "assignments.name": {"vi": "Mã bài tập", "en": "Assignment id"},
    "assignments.title_label": {"vi": "Tên bài tập", "en": "Title"},
    "assignments.subject": {"vi": "Môn học", "en": "Subject"},
    "assignments.semester": {"vi": "Học kì", "en": "Semester"},
    "assignments.column": {"vi": "Cột điểm (tx1…, gk, ck)", "en": "Column (tx1…, gk, ck)"},
    "assignments.class_label": {"vi": "Lớp", "en": "Class"},
    "assignments.status": {"vi": "Trạng thái", "en": "Status"},
    "assignments.status.generated": {
        "vi": "Đã tạo (học sinh chưa thấy)",
        "en": "Generated (not visible to students)",
    },
    "assignments.status.released": {"vi": "Đã giao", "en": "Released"},
    "assignments.status.closed": {"vi": "Đã đóng", "en": "Closed"},
    "assignments.max_score": {"vi": "Điểm tối đa", "en": "Maximum score"},
    "assignments.create": {"vi": "Tạo bài tập mới", "en": "Create an assignment"},
    "assignments.create.help": {
        "vi": "Chọn mọi tệp trong một thư mục notebooks/course/source/<mã bài>/ (notebook nguồn "
        "có lời giải và ô kiểm tra của nbgrader). nbgrader tạo bản cho học sinh.",
        "en": "Choose every file of a notebooks/course/source/<id>/ folder (the source notebooks "
        "with nbgrader solutions and tests). nbgrader generates the student version.",
    },
    "assignments.source_files": {"vi": "Tệp nguồn", "en": "Source files"},
    "assignments.create.submit": {"vi": "Tạo bài tập", "en": "Create"},
    "assignments.release": {"vi": "Giao bài cho lớp", "en": "Release to the class"},
    "assignments.download_release": {
        "vi": "Tải bản của học sinh (zip)",
        "en": "Download the student version (zip)",
    },
    "assignments.gradebook": {"vi": "Sổ điểm", "en": "Gradebook"},
    "assignments.gradebook.none": {
        "vi": "Chưa chọn cột điểm: điểm chỉ lưu ở bài nộp.",
        "en": "No gradebook column: scores stay on the submissions.",
    },
    "assignments.gradebook.current": {
        "vi": "Điểm được ghi vào sổ điểm môn {subject}, học kì {semester}, cột {column} "
        "(thang 10, làm tròn đến 0,1).",
        "en": "Scores go to the {subject} gradebook, semester {semester}, column {column} "
        "(10-point scale, rounded to 0.1).",
    },
    "assignments.gradebook.save": {"vi": "Lưu cột điểm", "en": "Save the column"},
    "assignments.gradebook.written": {"vi": "Đã ghi {value}", "en": "Written: {value}"},
    "assignments.gradebook.pending": {"vi": "Chưa ghi được", "en": "Not written yet"},
    "assignments.submissions": {"vi": "Bài nộp", "en": "Submissions"},
    "assignments.no_submissions": {"vi": "Chưa có bài nộp.", "en": "No submissions yet."},
    "assignments.student": {"vi": "Học sinh", "en": "Student"},
    "assignments.score": {"vi": "Điểm", "en": "Score"},
    "assignments.attempt": {"vi": "Lần nộp", "en": "Attempt"},
    "assignments.needs_review": {"vi": "Cần xem lại", "en": "Needs review"},
    "assignments.submission.submitted": {"vi": "Đang chấm", "en": "Being graded"},
    "assignments.submission.graded": {"vi": "Đã chấm", "en": "Graded"},
    "assignments.submission.needs_review": {
        "vi": "Chờ giáo viên xem",
        "en": "Waiting for the teacher",
    },
    "assignments.submission.failed": {"vi": "Không chấm được", "en": "Could not be graded"},
    "assignments.not_submitted": {"vi": "Chưa nộp", "en": "Not handed in"},
    "assignments.my_submission": {"vi": "Bài nộp của em", "en": "Your submission"},
    "assignments.due": {"vi": "Hạn nộp {due}", "en": "Due {due}"},
    "assignments.download": {
        "vi": "Tải đề bài (notebook, zip)",
        "en": "Download the assignment (notebook, zip)",
    },
    "assignments.upload": {
        "vi": "Chọn notebook đã làm (.ipynb)",
        "en": "Choose your completed notebooks (.ipynb)",
    },
    "assignments.upload.submit": {"vi": "Nộp bài", "en": "Hand in"},
    "assignments.grading": {
        "vi": "Bài đang được chấm tự động, em tải lại trang sau ít phút.",
        "en": "Your work is being graded; reload the page in a few minutes.",
    },
    "assignments.student.needs_review": {
        "vi": "Bài chạy quá thời gian cho phép; thầy cô sẽ xem và chấm.",
        "en": "Your notebook ran past the time limit; your teacher will look at it.",
    },
    "assignments.student.failed": {
        "vi": "Không chấm được bài nộp",
        "en": "The submission could not be graded",
    },
    "assignments.student.manual": {
        "vi": "Một số câu do thầy cô chấm tay; điểm có thể thay đổi.",
        "en": "Some answers are graded by hand; the score may change.",
    },
    "assignments.feedback": {"vi": "Kết quả và nhận xét", "en": "Result and feedback"},
    "assignments.feedback.release": {
        "vi": "Trả kết quả cho học sinh",
        "en": "Release the results to the students",
    },
    "assignments.feedback.release.help": {
        "vi": "Học sinh thấy điểm và kết quả từng câu sau khi thầy cô trả kết quả.",
        "en": "Students see their scores and per-question results once you release them.",
    },
    "assignments.feedback.released": {
        "vi": "Đã trả kết quả: học sinh xem được điểm và nhận xét.",
        "en": "Results released: students can see their scores and feedback.",
    },
    "assignments.feedback.waiting": {
        "vi": "Bài đã được chấm; thầy cô chưa trả kết quả.",
        "en": "Your work is graded; your teacher has not released the results yet.",
    },
    "assignments.notebook": {"vi": "Notebook", "en": "Notebook"},
    "assignments.cell": {"vi": "Câu (ô chấm điểm)", "en": "Graded cell"},
    "assignments.cell.manual": {"vi": "Chấm tay", "en": "Graded by hand"},
    "assignments.error": {"vi": "Chưa thực hiện được: {detail}", "en": "Not done: {detail}"},
    "assignments.error.gradebook_locked": {
        "vi": "Sổ điểm đã khoá: giáo viên nhập điểm này kèm lí do.",
        "en": "The gradebook is locked: a teacher enters this score with a reason.",
    },
    "assignments.error.gradebook_not_found": {
        "vi": "Lớp chưa có sổ điểm cho môn và học kì này.",
        "en": "The class has no gradebook for this subject and semester.",
    },
    "assignments.error.not_your_gradebook": {
        "vi": "Bạn không dạy môn này ở lớp này.",
        "en": "You do not teach this subject in this class.",
    },
    "assignments.error.unknown_column": {
        "vi": "Sổ điểm không có cột này (tx1…, gk, ck).",
        "en": "The gradebook has no such column (tx1…, gk, ck).",
    },
    "assignments.error.comment_only_gradebook": {
        "vi": "Môn này đánh giá bằng nhận xét (Đạt / Chưa đạt), không nhận điểm số.",
        "en": "This subject is assessed by comments (pass / not yet), not scores.",
    },
    "assignments.error.gradebook_writer_missing": {
        "vi": "Giáo viên đã chọn cột điểm không còn tài khoản: hãy chọn lại cột điểm.",
        "en": "The teacher who chose the column has no account any more: choose it again.",
    },
    "assignments.error.assignment_not_open": {
        "vi": "Bài tập không còn nhận bài nộp.",
        "en": "The assignment takes no more submissions.",
    },
}
