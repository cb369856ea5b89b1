"""Messages of the admissions pages (rounds, allocation, cut-offs, results), Vietnamese first."""

MESSAGES: dict[str, dict[str, str]] = {
    "admissions.task.manage": {"vi": "Tuyển sinh đầu cấp và lớp 10", "en": "Admissions"},
    "admissions.title": {"vi": "Tuyển sinh", "en": "Admissions"},
    "admissions.rounds": {"vi": "Các kì tuyển sinh", "en": "Admission rounds"},
    "admissions.no_rounds": {"vi": "Chưa có kì tuyển sinh nào.", "en": "No rounds yet."},
    "admissions.new_round": {"vi": "Mở kì tuyển sinh mới", "en": "Open a new round"},
    "admissions.name": {"vi": "Tên kì tuyển sinh", "en": "Round name"},
    "admissions.kind": {"vi": "Loại", "en": "Kind"},
    "admissions.kind.grade10": {"vi": "Lớp 10 (thi tuyển)", "en": "Grade 10 (exam)"},
    "admissions.kind.entry": {"vi": "Lớp 1 / lớp 6 (xét tuyển)", "en": "Grade 1 / 6 (residence)"},
    "admissions.grade": {"vi": "Lớp", "en": "Grade"},
    "admissions.rule_date": {"vi": "Ngày áp dụng quy chế", "en": "Rules in force on"},
    "admissions.year": {"vi": "Năm tuyển sinh", "en": "Admission year"},
    "admissions.create": {"vi": "Tạo", "en": "Create"},
    "admissions.status": {"vi": "Trạng thái", "en": "Status"},
    "admissions.status.draft": {"vi": "Đang nhận hồ sơ", "en": "Collecting applications"},
    "admissions.status.allocating": {"vi": "Đang xét tuyển", "en": "Allocating"},
    "admissions.status.allocated": {"vi": "Đã có kết quả", "en": "Results published"},
    "admissions.rule": {"vi": "Quy chế", "en": "Rule set"},
    "admissions.back": {"vi": "← Các kì tuyển sinh", "en": "← All rounds"},
    "admissions.errors": {"vi": "Chưa lưu, vì có lỗi:", "en": "Nothing saved, because of errors:"},
    "admissions.done": {"vi": "Đã xong.", "en": "Done."},
    "admissions.job": {
        "vi": "Kì tuyển sinh lớn: đang xét tuyển trong nền, tải lại trang sau ít phút.",
        "en": "A large round: allocating in the background, reload in a few minutes.",
    },
    "admissions.schools": {"vi": "Trường và chỉ tiêu", "en": "Schools and quotas"},
    "admissions.school": {"vi": "Trường", "en": "School"},
    "admissions.code": {"vi": "Mã", "en": "Code"},
    "admissions.quota": {"vi": "Chỉ tiêu", "en": "Quota"},
    "admissions.quota.integrated": {"vi": "Tích hợp", "en": "Integrated"},
    "admissions.upload_schools": {
        "vi": "Tải danh sách trường (CSV: code, name, regular_quota, integrated_quota)",
        "en": "Upload schools (CSV: code, name, regular_quota, integrated_quota)",
    },
    "admissions.upload_applicants": {
        "vi": "Tải hồ sơ thí sinh (CSV, mỗi dòng một thí sinh)",
        "en": "Upload applicants (CSV, one applicant a row)",
    },
    "admissions.upload": {"vi": "Tải lên", "en": "Upload"},
    "admissions.file": {"vi": "Tệp CSV (UTF-8)", "en": "CSV file (UTF-8)"},
    "admissions.applicants": {"vi": "Thí sinh", "en": "Applicants"},
    "admissions.applicant_count": {"vi": "{count} thí sinh", "en": "{count} applicants"},
    "admissions.allocate": {"vi": "Xét tuyển", "en": "Run the allocation"},
    "admissions.allocate_again": {"vi": "Xét tuyển lại", "en": "Run the allocation again"},
    "admissions.cutoffs": {"vi": "Điểm chuẩn theo trường", "en": "Cut-offs per school"},
    "admissions.wish": {"vi": "Nguyện vọng", "en": "Wish"},
    "admissions.cutoff": {"vi": "Điểm chuẩn", "en": "Cut-off"},
    "admissions.admitted": {"vi": "Trúng tuyển", "en": "Admitted"},
    "admissions.contenders": {"vi": "Số đăng kí", "en": "Applied"},
    "admissions.seats_before": {"vi": "Chỗ còn trước vòng", "en": "Seats before the round"},
    "admissions.placed": {"vi": "Nơi trúng tuyển", "en": "Placed at"},
    "admissions.score": {"vi": "Điểm xét tuyển", "en": "Admission score"},
    "admissions.not_placed": {"vi": "Không trúng tuyển", "en": "Not admitted"},
    "admissions.comparison": {
        "vi": "So sánh với thuật toán chấp nhận trì hoãn (DA)",
        "en": "Comparison with deferred acceptance (DA)",
    },
    "admissions.comparison.intro": {
        "vi": "Cùng thí sinh, cùng chỉ tiêu, xét bằng thuật toán chấp nhận trì hoãn do học sinh "
        "đề xuất: ai được xếp khác với quy chế của Thành phố.",
        "en": "The same applicants and quotas under student-proposing deferred acceptance: who "
        "would be placed differently from the city rule.",
    },
    "admissions.comparison.summary": {
        "vi": "{compared} thí sinh được so sánh, {same} có kết quả như nhau; {better} tốt hơn "
        "với DA, {worse} tốt hơn với quy chế Thành phố.",
        "en": "{compared} applicants compared, {same} placed the same; {better} better off "
        "under DA, {worse} better off under the city rule.",
    },
    "admissions.city": {"vi": "Theo quy chế", "en": "City rule"},
    "admissions.da": {"vi": "Theo DA", "en": "Under DA"},
    "admissions.supplementary": {"vi": "Tuyển sinh bổ sung", "en": "Supplementary round"},
    "admissions.supplementary.closed": {
        "vi": "Chưa mở tuyển sinh bổ sung.",
        "en": "The supplementary round is not open.",
    },
    "admissions.supplementary.open": {
        "vi": "Mở tuyển sinh bổ sung (công bố trường còn chỉ tiêu)",
        "en": "Open the supplementary round (publish schools with seats left)",
    },
    "admissions.supplementary.status.open": {
        "vi": "Đang nhận nguyện vọng bổ sung",
        "en": "Accepting supplementary wishes",
    },
    "admissions.supplementary.status.allocating": {"vi": "Đang xét bổ sung", "en": "Allocating"},
    "admissions.supplementary.status.allocated": {
        "vi": "Đã có kết quả bổ sung",
        "en": "Supplementary results published",
    },
    "admissions.supplementary.seats": {"vi": "Chỉ tiêu còn lại", "en": "Seats left"},
    "admissions.supplementary.min_score": {"vi": "Điểm tối thiểu", "en": "Minimum score"},
    "admissions.supplementary.any": {"vi": "Không yêu cầu", "en": "None"},
    "admissions.supplementary.upload": {
        "vi": "Tải nguyện vọng bổ sung (CSV: applicant_code, nv1, nv2, nv3)",
        "en": "Upload supplementary wishes (CSV: applicant_code, nv1, nv2, nv3)",
    },
    "admissions.supplementary.allocate": {
        "vi": "Khóa nguyện vọng và xét tuyển bổ sung",
        "en": "Close the wishes and allocate the supplementary round",
    },
    "admissions.supplementary.placed": {
        "vi": "{count} thí sinh trúng tuyển bổ sung.",
        "en": "{count} applicants admitted in the supplementary round.",
    },
    "admissions.supplementary.yours": {
        "vi": "Đăng kí nguyện vọng bổ sung (tối đa {count})",
        "en": "Send supplementary wishes (at most {count})",
    },
    "admissions.supplementary.send": {"vi": "Gửi nguyện vọng", "en": "Send the wishes"},
    "admissions.sheets": {
        "vi": "Chấm phiếu trả lời trắc nghiệm theo đáp án ngân hàng câu hỏi",
        "en": "Score answer sheets from the item bank's keys",
    },
    "admissions.sheets.assembly": {
        "vi": "Mã bộ đề (bộ đề đã lắp từ ngân hàng câu hỏi)",
        "en": "Exam id (an assembled form set)",
    },
    "admissions.sheets.subject": {"vi": "Môn", "en": "Subject"},
    "admissions.sheets.file": {
        "vi": "Tệp CSV: applicant_code, form, answers (ví dụ 1A 2C 3- ...)",
        "en": "CSV: applicant_code, form, answers (e.g. 1A 2C 3- ...)",
    },
    "admissions.sheets.scored": {
        "vi": "Đã chấm {count} phiếu và ghi điểm môn {subject}.",
        "en": "{count} sheets scored; {subject} scores written.",
    },
    "admissions.subject.literature": {"vi": "Ngữ văn", "en": "Literature"},
    "admissions.subject.mathematics": {"vi": "Toán", "en": "Mathematics"},
    "admissions.subject.foreign_language": {"vi": "Ngoại ngữ", "en": "Foreign language"},
    "admissions.me.title": {"vi": "Kết quả tuyển sinh", "en": "Admission results"},
    "admissions.me.none": {
        "vi": "Chưa có hồ sơ tuyển sinh nào gắn với tài khoản này.",
        "en": "No application is linked to this account.",
    },
    "admissions.me.why": {
        "vi": "Vì sao có kết quả này (từng nguyện vọng)",
        "en": "Why this result (wish by wish)",
    },
    "admissions.me.pending": {"vi": "Chưa có kết quả.", "en": "No result yet."},
    "admissions.forbidden": {
        "vi": "Trang này dành cho Sở GDĐT, nhà trường, học sinh và phụ huynh.",
        "en": "This page is for the Department, schools, students and parents.",
    },
}

MESSAGES |= {
    "admissions.why.placed": {
        "vi": "Trúng tuyển {school} ({wish}) với {score} điểm.",
        "en": "Admitted to {school} ({wish}) with {score}.",
    },
    "admissions.why.unplaced": {
        "vi": "Không trúng tuyển nguyện vọng nào.",
        "en": "Not admitted to any wish.",
    },
    "admissions.why.admitted": {
        "vi": "{wish} {school}: trúng tuyển, điểm của em {score} ≥ điểm chuẩn {cutoff}.",
        "en": "{wish} {school}: admitted, your score {score} ≥ the cut-off {cutoff}.",
    },
    "admissions.why.below_cutoff": {
        "vi": "{wish} {school}: không trúng tuyển, điểm của em {score} < điểm chuẩn {cutoff}.",
        "en": "{wish} {school}: not admitted, your score {score} < the cut-off {cutoff}.",
    },
    "admissions.why.lost_tie_break": {
        "vi": "{wish} {school}: không trúng tuyển, điểm của em bằng điểm chuẩn {cutoff} nhưng "
        "xếp sau theo tiêu chí phụ đã công bố ({reason}).",
        "en": "{wish} {school}: not admitted, your score equals the cut-off {cutoff} but the "
        "published tie-break ({reason}) ranked you after the last admitted applicant.",
    },
    "admissions.why.below_earlier_cutoff": {
        "vi": "{wish} {school}: không trúng tuyển, điểm của em {score} thấp hơn điểm chuẩn "
        "{earlier} của nguyện vọng trước tại trường này (điểm chuẩn nguyện vọng sau không "
        "thấp hơn nguyện vọng trước).",
        "en": "{wish} {school}: not admitted, your score {score} is below the earlier cut-off "
        "{earlier} at this school (a later wish's cut-off is never lower).",
    },
    "admissions.why.no_seats": {
        "vi": "{wish} {school}: không trúng tuyển, trường đã hết chỉ tiêu sau các vòng trước.",
        "en": "{wish} {school}: not admitted, no seats were left after earlier rounds.",
    },
    "admissions.why.not_eligible": {
        "vi": "{wish} {school}: không đủ điều kiện xét tuyển ({reason}).",
        "en": "{wish} {school}: not eligible ({reason}).",
    },
    "admissions.why.not_considered": {
        "vi": "{wish} {school}: không xét, vì em đã trúng tuyển một nguyện vọng trước.",
        "en": "{wish} {school}: not considered, you were admitted to an earlier wish.",
    },
}
