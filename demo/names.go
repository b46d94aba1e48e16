package demo

// Name material for the scenario. Lạng Sơn is mostly Tày and Nùng; their
// family names (Hoàng, Nông, Lương, Vi, Lộc, Lăng...) dominate, with Kinh
// names in the towns.
var (
	familyNames = []weighted{
		{"Hoàng", 14}, {"Nông", 9}, {"Lương", 7}, {"Vi", 5}, {"Lộc", 5}, {"Lăng", 4}, {"Nguyễn", 10},
		{"Hà", 4}, {"Lý", 4}, {"Chu", 3}, {"Triệu", 3}, {"Dương", 3}, {"Mã", 2}, {"Hứa", 2}, {"Đàm", 2},
		{"La", 2}, {"Tô", 2}, {"Lục", 2}, {"Vy", 2}, {"Trần", 4}, {"Lê", 3}, {"Phùng", 1}, {"Mông", 1},
		{"Đinh", 1}, {"Bế", 2},
	}
	maleMiddle   = []string{"Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Thanh", "Văn"}
	femaleMiddle = []string{"Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh"}
	maleGiven    = []string{"Sơn", "Hùng", "Dũng", "Lâm", "Tuấn", "Hải", "Cường", "Thắng", "Bình", "Quang", "Toàn", "Long", "Kiên", "Phúc", "Thành", "Hòa", "Tiến", "Khánh", "Nam", "Vượng", "Chiến", "Đông", "Pháo", "Slấy", "Pảo", "Mạnh", "Trường", "Hiếu", "Lợi", "Tâm"}
	femaleGiven  = []string{"Hoa", "Lan", "Mai", "Hương", "Thu", "Nga", "Phương", "Thúy", "Hằng", "Vân", "Hiền", "Liên", "Nhung", "Dung", "Huyền", "Thảo", "Yến", "Loan", "Hạnh", "Ngân", "Mến", "Nhàn", "Tuyết", "Xuân"}

	// Syllables of Tày-Nùng place names: a village is a prefix (nà: field,
	// khuổi: stream, pác: mouth, khau: hill, cốc: foot, pò: hillock, bản:
	// village, lũng: valley, nặm: water) and a second syllable.
	villagePrefix = []string{"Nà", "Khuổi", "Pác", "Khau", "Cốc", "Pò", "Bản", "Lũng", "Nặm", "Khòn", "Phai", "Kéo", "Còn", "Tằm", "Co"}
	villageSecond = []string{"Lầu", "Phầy", "Giả", "Chu", "Pàn", "Lùng", "Cuồng", "Mã", "Pịt", "Tòng", "Slải", "Mò", "Ngàn", "Héo", "Riềng", "Thẳm", "Pục", "Làng", "Khiêng", "Cáy", "Sla", "Hin", "Rạo", "Nưa", "Vài", "Pheo", "Quân", "Sào", "Ngầu", "Rọ"}
	villageKinh   = []string{"Đồng Tâm", "Tân Tiến", "Hòa Bình", "Đoàn Kết", "Bình Minh", "Trung Tâm", "Ngã Ba", "Đồng Bục", "Làng Mới", "Phố Mới"}

	// Streets of Lạng Sơn city, for addresses in the wards.
	streets = []string{"Lê Lợi", "Trần Đăng Ninh", "Bà Triệu", "Hùng Vương", "Lý Thái Tổ", "Tam Thanh", "Ngô Quyền", "Bắc Sơn", "Phai Vệ", "Lê Đại Hành", "Trần Hưng Đạo", "Nguyễn Du", "Mỹ Sơn", "Đinh Tiên Hoàng", "Văn Vỉ", "Tô Thị", "Hoàng Văn Thụ"}
)

type weighted struct {
	value  string
	weight int
}
