"""More ways of telling each test matter, used ONLY in the topic training set.

Written after and apart from the test phrasings in ``matters.py`` (other words, other order,
other details), so that a topic classifier trained on ``train.jsonl`` has seen the matter but
never the sentences it is tested on: the situation of a model trained on officers' earlier
corrections and then shown new voices about the same kinds of problems.
"""

from __future__ import annotations

TRAIN_EXTRA: dict[str, list[str]] = {
    # land
    "gpmb_price": [
        "Phương án đền bù của {duan} áp giá đất thấp, bà con {xom} chưa nhất trí ký nhận.",
        "Đơn giá bồi thường cây cối, hoa màu trên đất thu hồi cho {duan} chưa tương xứng, đề nghị điều chỉnh.",
    ],
    "gpmb_delay": [
        "Ban quản lý {duan} hứa trả tiền bồi thường trong quý mà đến nay các hộ ở {xom} vẫn chờ.",
        "Dân đã giao đất cho {duan} nhưng tiền hỗ trợ chuyển đổi nghề vẫn treo, xin hỏi bao giờ chi trả.",
    ],
    "gpmb_resettle": [
        "Hộ tôi bị thu hồi hết đất ở cho {duan}, chưa được giao lô tái định cư nào.",
        "Xin hỏi tiến độ làm hạ tầng khu tái định cư của {duan}, dân {xom} chờ lâu quá.",
    ],
    "red_book": [
        "Xin hỏi vì sao hồ sơ đăng ký đất đai lần đầu của gia đình ở {xom} chưa có kết quả.",
        "Bà con {xom} mong được cấp giấy chứng nhận đất ở để yên tâm xây nhà.",
    ],
    "land_encroach": [
        "Có hộ dân dựng lều quán trên đất hành lang đê ở {xom}, đề nghị giải tỏa.",
        "Đất bãi bồi do xã quản lý ở {xom} bị người ta rào chiếm làm của riêng.",
    ],
    "boundary": [
        "Hai gia đình ở {xom} cãi nhau vì mốc giới đất, đề nghị xã xác định lại ranh thửa.",
        "Nhờ xã giải quyết việc nhà bên cạnh trồng cây sang phần đất của {ho}.",
    ],
    "frozen_plan": [
        "Bao nhiêu năm nay đất ở {xom} nằm trong quy hoạch mà không thấy dự án nào về, dân khổ vì không được làm gì.",
        "Đề nghị điều chỉnh quy hoạch sử dụng đất để người dân {xom} được cấp phép xây dựng.",
    ],
    "abandoned_project": [
        "Nhà đầu tư nhận đất làm {duan} rồi để cỏ mọc, đề nghị thu hồi dự án.",
        "Khu đất của {duan} bỏ không nhiều năm thành nơi đổ rác, lãng phí đất của dân.",
    ],
    "land_levy": [
        "Mức thu tiền chuyển mục đích sử dụng đất ở {xom} quá cao so với thu nhập của người dân.",
        "Xin được nộp dần tiền sử dụng đất, gia đình tôi ở {xom} không đủ tiền nộp một lần.",
    ],
    # environment
    "pig_farm": [
        "Chất thải chăn nuôi từ trại lợn của {trai} chảy xuống ruộng, mùi hôi khắp {xom}.",
        "Trại heo {trai} nuôi hàng nghìn con ngay sát khu dân cư, không đảm bảo vệ sinh môi trường.",
    ],
    "plant_wastewater": [
        "Mương nước cạnh {cscb} chuyển màu đen, có bọt, người dân nghi do nhà máy xả thải.",
        "Đề nghị quan trắc nước thải {cscb}, cá ao nhà dân {xom} chết nổi.",
    ],
    "garbage": [
        "Ven đường vào {xom} thành bãi rác tự phát, không ai dọn.",
        "Rác thải bốc mùi vì xe rác không đến {xom} theo lịch.",
    ],
    "landfill_smoke": [
        "Bãi rác {bai} cháy âm ỉ nhiều ngày, khói độc bay vào nhà dân.",
        "Nước rỉ rác từ bãi rác {bai} làm ô nhiễm giếng nước của bà con {xom}.",
    ],
    "quarry_blast": [
        "Nổ mìn ở mỏ đá {mo} làm nhà tôi nứt toác, đề nghị công ty bồi thường.",
        "Bụi đá từ mỏ {mo} bám đầy cây trồng, người dân {xom} bị bệnh hô hấp.",
    ],
    "quarry_trucks": [
        "Xe ben của mỏ đá {mo} chở quá tải, đá rơi đầy đường qua {xom}.",
        "Đề nghị kiểm soát xe chở đá ra vào mỏ {mo}, ồn và bụi suốt đêm.",
    ],
    "sand_mining": [
        "Cát trên sông {song} bị hút trộm, bờ sông chỗ {xom} lở dần vào ruộng.",
        "Có người khai thác cát không phép ở sông {song}, đề nghị xử lý ngay.",
    ],
    "forest_logging": [
        "Gỗ rừng tự nhiên gần {xom} bị cưa trộm, kiểm lâm chưa ngăn chặn.",
        "Diện tích rừng đầu nguồn ở {xom} bị đốt phá làm rẫy trái phép.",
    ],
    "brick_kiln": [
        "Khói của lò gạch {lo} ở {xom} làm người dân ho, cay mắt.",
        "Lò nung gạch {lo} đã có lệnh dừng mà vẫn đốt lò ban đêm.",
    ],
    # infrastructure
    "road_damaged": [
        "Mặt {duong} ở {xom} đầy ổ gà, xe đi xóc, trời mưa đọng nước.",
        "Xin sửa lại {duong} đoạn {xom}, đường bê tông vỡ nát từ lâu.",
    ],
    "road_ditch": [
        "Rãnh nước bên {duong} ở {xom} bị lấp đất, nước mưa không thoát được, chảy tràn mặt đường.",
        "Cống rãnh dọc {duong} chỗ {xom} vỡ nắp, hôi thối, cần nạo vét.",
    ],
    "street_light": [
        "Bóng đèn đường ở {duong} đoạn {xom} không sáng, buổi tối đi lại không thấy gì.",
        "Đèn chiếu sáng dọc {duong} qua {xom} chỉ sáng một nửa, đề nghị sửa.",
    ],
    "road_works_slow": [
        "Nhà thầu nâng cấp {duong} ở {xom} làm nửa chừng rồi nghỉ, đường bụi và lầy.",
        "Công trình sửa {duong} qua {xom} quá tiến độ mà chưa xong, dân đi lại vất vả.",
    ],
    "bridge_unsafe": [
        "{cau} ở {xom} rung lắc mạnh khi có người qua, ván cầu mục.",
        "Đề nghị sửa chữa {cau}, mố cầu bị xói lở sau lũ.",
    ],
    "flooding_hamlet": [
        "Nhà dân ở {xom} bị ngập mỗi khi mưa to vì không có đường thoát nước ra sông.",
        "Khu dân cư {xom} úng ngập kéo dài, xin đầu tư cống tiêu.",
    ],
    "irrigation": [
        "Ruộng ở {xom} thiếu nước tưới vì kênh mương xuống cấp, rò rỉ.",
        "Xin nạo vét kênh dẫn nước tưới cho đồng ruộng của {xom}.",
    ],
    "clean_water": [
        "Nước sinh hoạt ở {xom} lúc có lúc không, nước có mùi clo và cặn.",
        "Đề nghị đưa nước máy về cho bà con {xom}, giếng khoan bị nhiễm bẩn.",
    ],
    "power_outage": [
        "Lưới điện ở {xom} yếu, cắt điện luân phiên liên tục.",
        "Trạm biến áp của {xom} quá tải, điện yếu không chạy được máy bơm.",
    ],
    "hall_unfinished": [
        "Nhà văn hóa {xom} xây dở dang mấy năm, chưa hoàn thành.",
        "Công trình nhà sinh hoạt cộng đồng ở {xom} bỏ dở, đề nghị cấp vốn làm tiếp.",
    ],
    "ferry_unsafe": [
        "Đò chở khách qua sông {song} ở {xom} không đảm bảo an toàn, không có phao cứu sinh.",
        "Xin làm cầu qua sông {song} cho dân {xom}, đi đò mùa lũ rất nguy hiểm.",
    ],
    "river_embankment": [
        "Sạt lở bờ sông {song} ở {xom} ngày càng nặng, cần làm kè bảo vệ.",
        "Đất vườn ven sông {song} của {xom} bị nước cuốn trôi, xin đầu tư kè.",
    ],
    "school_gate_traffic": [
        "Trước cổng {truong} xe cộ đông, cần có biển báo và người phân luồng giờ tan trường.",
        "Học sinh {truong} sang đường rất nguy hiểm vì không có vạch kẻ đường.",
    ],
    # social policy
    "poor_list": [
        "Bình xét hộ nghèo ở {xom} thiếu khách quan, có người quen trưởng xóm thì được.",
        "Hộ tôi ở {xom} thu nhập thấp mà không được vào danh sách hộ cận nghèo.",
    ],
    "elderly_allowance": [
        "Các cụ cao tuổi ở {xom} chờ tiền trợ cấp mấy tháng chưa nhận.",
        "Xin xã đẩy nhanh duyệt hồ sơ trợ cấp cho người cao tuổi ở {xom}.",
    ],
    "merit_regime": [
        "Hồ sơ hưởng chế độ thương binh của {ho} nộp lâu rồi chưa có kết quả.",
        "Xin xem xét trợ cấp người có công cho gia đình {ho}.",
    ],
    "insurance_cards": [
        "Hộ cận nghèo ở {xom} chưa được nhận thẻ bảo hiểm y tế năm nay.",
        "Thẻ BHYT của trẻ em {xom} in sai thông tin, đi khám không dùng được.",
    ],
    "disaster_relief": [
        "Tiền hỗ trợ thiệt hại do lũ ở {xom} không đến đúng người bị thiệt hại.",
        "Đề nghị minh bạch việc phân phát hàng cứu trợ bão lụt ở {xom}.",
    ],
    "unpaid_wages": [
        "Công nhân {cty} bị chậm lương nhiều tháng, công ty chưa đóng bảo hiểm.",
        "{cty} nợ bảo hiểm xã hội, người lao động nghỉ việc không làm được trợ cấp thất nghiệp.",
    ],
    "housing_support": [
        "Hộ nghèo ở {xom} chưa nhận tiền hỗ trợ xây nhà dù đã được duyệt.",
        "Nhà dột nát của hộ nghèo ở {xom} cần được hỗ trợ xây lại trước mùa mưa.",
    ],
    "policy_loans": [
        "Thủ tục vay vốn ưu đãi cho hộ nghèo ở {xom} rườm rà, chờ đợi lâu.",
        "Xin tăng nguồn vốn vay giải quyết việc làm cho thanh niên {xom}.",
    ],
    # health
    "station_drugs": [
        "Khám bảo hiểm ở trạm y tế {xa} thiếu thuốc, phải tự mua ngoài.",
        "Trạm y tế {xa} chỉ có một y sĩ, không có bác sĩ khám bệnh.",
    ],
    "station_building": [
        "Trạm y tế {xa} dột nát, phòng khám ẩm thấp, cần cải tạo.",
        "Xin đầu tư xây lại trạm y tế {xa}, nhà cũ đã hư hỏng.",
    ],
    "station_vaccine": [
        "Trạm y tế {xa} hết vắc xin cho trẻ, phụ huynh phải chờ đợi.",
        "Lịch tiêm chủng ở {xa} bị hoãn vì thiếu vắc xin, trẻ bị lỡ mũi tiêm.",
    ],
    "dengue": [
        "Nhiều ca sốt xuất huyết ở {xom}, xin phun thuốc diệt muỗi.",
        "Dịch sốt xuất huyết bùng phát ở {xom}, ngành y tế cần xử lý ổ dịch.",
    ],
    "fake_clinic": [
        "{pk} bán thuốc không rõ nguồn gốc, tiêm truyền không có bác sĩ.",
        "Có người hành nghề y không phép tại {pk}, đề nghị thanh tra.",
    ],
    "school_poisoning": [
        "Học sinh {truong} nôn ói sau bữa ăn trưa ở trường, nghi thức ăn không đảm bảo.",
        "Xin điều tra nguyên nhân vụ ngộ độc của học sinh {truong}.",
    ],
    "hospital_attitude": [
        "Bác sĩ ở bệnh viện huyện gần {xa} nói năng khó nghe với người bệnh.",
        "Người bệnh ở {xa} phải chờ khám rất lâu ở bệnh viện, nhân viên thiếu nhiệt tình.",
    ],
    "stray_dogs": [
        "Chó không rọ mõm chạy khắp {xom}, trẻ em bị cắn.",
        "Xin tiêm phòng dại miễn phí cho chó ở {xom}, nhiều người bị chó cắn.",
    ],
    # education
    "school_fees": [
        "{truong} thu nhiều khoản đóng góp ngoài quy định đầu năm.",
        "Quỹ lớp ở {truong} thu cao, phụ huynh không được bàn bạc.",
    ],
    "schoolyard_flood": [
        "Sân {truong} đọng nước sau mưa, các cháu không ra chơi được.",
        "Xin nâng nền sân {truong}, mùa mưa ngập cả lối vào lớp.",
    ],
    "classrooms": [
        "Lớp học ở {truong} tường nứt, mái dột, bàn ghế hỏng.",
        "Học sinh {truong} phải học trong phòng tạm chật chội, xin xây thêm lớp.",
    ],
    "extra_classes": [
        "Học sinh {truong} bị giáo viên gợi ý đi học thêm, không học thì bị phân biệt.",
        "Tình trạng dạy thêm thu tiền ở {truong} cần được chấn chỉnh.",
    ],
    "school_merger": [
        "Điểm trường ở {xom} bị đóng, học sinh phải lên {truong} học rất xa.",
        "Phụ huynh {xom} không đồng ý gộp điểm trường về {truong}.",
    ],
    "teacher_shortage": [
        "{truong} không đủ giáo viên, nhiều môn học không có người dạy.",
        "Xin bổ sung giáo viên cho {truong}, hiện phải ghép lớp.",
    ],
    "school_meals": [
        "Suất ăn bán trú ở {truong} ít thịt, không đủ chất cho các cháu.",
        "Phụ huynh muốn kiểm tra bếp ăn bán trú của {truong} vì thức ăn kém.",
    ],
    "teacher_violence": [
        "Học sinh {truong} bị giáo viên đánh, phạt nặng, cần xử lý.",
        "Thầy giáo {truong} dùng lời lẽ xúc phạm học sinh trong giờ học.",
    ],
    # public order
    "gambling": [
        "Tụ điểm cờ bạc ở {xom} hoạt động công khai, đề nghị triệt phá.",
        "Đá gà ăn tiền ở {xom} thu hút nhiều người, gây mất trật tự.",
    ],
    "drugs": [
        "Người nghiện tụ tập ở bãi đất trống {xom}, có kim tiêm vứt bừa.",
        "Xin công an truy quét điểm bán ma túy ở {xom}.",
    ],
    "street_racing": [
        "Nhóm thanh niên rú ga, đua xe trên {duong} qua {xom} mỗi tối.",
        "Đua xe trái phép trên {duong} đoạn {xom} cần được ngăn chặn.",
    ],
    "theft": [
        "Trộm vào nhà dân ở {xom} lấy xe máy, tài sản, chưa bắt được.",
        "Tình hình trộm cắp ở {xom} phức tạp, dân mất gà, mất chó liên tục.",
    ],
    "karaoke_noise": [
        "{kara} ở {xom} hát to đến khuya, hàng xóm mất ngủ.",
        "Tiếng loa karaoke từ quán {kara} quá lớn, đề nghị xử phạt.",
    ],
    "loan_sharks": [
        "Đối tượng cho vay lãi nặng đến {xom} đòi nợ, đe dọa người dân.",
        "Nhóm đòi nợ thuê tạt sơn vào nhà dân ở {xom}.",
    ],
    "market_sidewalk": [
        "Người bán hàng ở {cho} tràn ra đường, gây cản trở giao thông.",
        "Xin sắp xếp lại hàng quán quanh {cho}, lấn chiếm vỉa hè nghiêm trọng.",
    ],
    "phone_scam": [
        "Người dân {xom} nhận cuộc gọi giả mạo cơ quan thuế, bị lừa chuyển tiền.",
        "Nhiều vụ lừa đảo qua mạng xã hội nhắm vào người già ở {xom}.",
    ],
    # officials' conduct
    "cadastral_bribe": [
        "{canbo} phụ trách địa chính xã đòi tiền bồi dưỡng mới giải quyết hồ sơ đất.",
        "Cán bộ địa chính {canbo} cố tình kéo dài thủ tục để vòi tiền dân.",
    ],
    "hamlet_funds": [
        "Quỹ xóm ở {xom} thu chi không minh bạch, trưởng xóm không báo cáo.",
        "Đề nghị kiểm tra việc trưởng {xom} giữ tiền đóng góp của dân.",
    ],
    "nepotism_land": [
        "Lãnh đạo xã {canbo} giao đất cho họ hàng không đúng quy định.",
        "{canbo} lợi dụng chức vụ để người nhà được mua đất giá rẻ.",
    ],
    "one_stop_rude": [
        "Cán bộ tiếp dân ở bộ phận một cửa {xa} cáu gắt, làm việc riêng trong giờ.",
        "Nộp hồ sơ ở một cửa {xa} bị trả đi trả lại nhiều lần, không hướng dẫn rõ.",
    ],
    "hall_graft": [
        "Công trình nhà văn hóa {xom} xây kém chất lượng, nghi có tiêu cực.",
        "Đề nghị kiểm toán công trình nhà văn hóa {xom}, vật liệu không đúng hồ sơ.",
    ],
    "letters_ignored": [
        "Đơn thư của {ho} gửi xã đã lâu không được giải quyết.",
        "Xã không trả lời đơn của công dân {ho}, quá thời hạn luật định.",
    ],
    "drinking_duty": [
        "{canbo} thường say rượu khi làm việc, gây phản cảm.",
        "Cán bộ xã {canbo} nhậu trong giờ hành chính, bỏ vị trí công tác.",
    ],
    "forced_contrib": [
        "Người dân {xom} bị ép đóng góp quỹ nông thôn mới vượt khả năng.",
        "Xã bổ đầu khẩu các khoản đóng góp ở {xom}, hộ khó khăn không đóng nổi.",
    ],
    # religion, ethnicity
    "pagoda_land": [
        "{chua} đề nghị được công nhận lại đất chùa trước đây.",
        "Đất của {chua} bị chiếm dụng, xin chính quyền giải quyết.",
    ],
    "church_permit": [
        "{gx} chờ giấy phép sửa nhà thờ quá lâu.",
        "Giáo dân {gx} xin được xây mới nhà giáo lý.",
    ],
    "strange_religion": [
        "Đạo lạ du nhập vào {xom}, người theo bỏ bàn thờ tổ tiên.",
        "Nhóm truyền đạo trái phép hoạt động ở {xom}, gây chia rẽ cộng đồng.",
    ],
    "ethnic_support": [
        "Đồng bào dân tộc thiểu số ở {ban} chưa nhận được bò giống được hỗ trợ.",
        "Chính sách cho đồng bào dân tộc ở {ban} thực hiện chậm.",
    ],
    "festival": [
        "Lễ hội {lehoi} có nhiều hàng quán chặt chém du khách.",
        "Xin quản lý chặt tiền công đức tại lễ hội {lehoi}.",
    ],
    "resettle_ethnic": [
        "Đồng bào tái định cư ở {ban} thiếu đất canh tác, đời sống bấp bênh.",
        "Nhà tái định cư cho đồng bào ở {ban} xuống cấp nhanh.",
    ],
    "pagoda_donations": [
        "Thu chi tiền công đức ở {chua} cần được công khai cho nhân dân biết.",
        "Có dấu hiệu trục lợi tiền công đức tại {chua}.",
    ],
    # other
    "phone_signal": [
        "Ở {xom} điện thoại thường mất sóng, không gọi được.",
        "Xin nhà mạng phủ sóng 4G cho {xom}.",
    ],
    "thanks": [
        "Cảm ơn lực lượng công an xã đã giúp bà con {xom} di dời tài sản khi lũ về.",
        "Nhân dân {xom} biết ơn các cấp đã quan tâm đến đời sống bà con.",
    ],
    "loudspeaker": [
        "Loa truyền thanh ở {xom} bật quá sớm, âm thanh chói tai.",
        "Loa phát thanh của {xom} bị hỏng, không nghe được tin tức.",
    ],
    "crop_support": [
        "Lúa ở {xom} bị sâu bệnh mất mùa, xin hỗ trợ giống.",
        "Nông sản của bà con {xom} rớt giá, không bán được.",
    ],
    "cattle_disease": [
        "Lợn ở {xom} chết vì dịch, xin hỗ trợ tiêu hủy và tiêm phòng.",
        "Trâu bò ở {xom} bị bệnh lở mồm long móng, cần thú y về kiểm tra.",
    ],
    "market_fees": [
        "Phí chợ ở {cho} thu cao, không có biên lai.",
        "Tiểu thương {cho} phản đối việc tăng tiền thuê chỗ bán hàng.",
    ],
    "market_hygiene": [
        "Nước thải ở {cho} bốc mùi, rác không được dọn sau phiên chợ.",
        "Vệ sinh ở {cho} rất kém, ruồi nhặng nhiều.",
    ],
    "address_change": [
        "Sáp nhập xã làm người dân {xa} phải sửa địa chỉ trên giấy tờ.",
        "Trụ sở xã mới xa quá, xin bố trí điểm làm thủ tục gần dân.",
    ],
    "hamlet_naming": [
        "Dân {xom} muốn giữ tên làng cũ sau khi sáp nhập thôn.",
        "Xin lấy ý kiến người dân {xom} về tên thôn mới.",
    ],
}
