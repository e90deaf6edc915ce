package synth

// The background's name pools. The world's own people (a few tens of thousands) draw from the
// small lists of nameGroups; the background draws millions of persons, and with lists that small
// tens of thousands of pairs of different background persons came out identical in every
// attribute the linkage compares (names, birth date and place, sex, citizenship), which real
// populations do not. The background therefore draws from the base lists followed by the extra
// lists below: real names and places of each tradition, every one encodable in Windows-1252
// (transliterated where needed), none a spelling variant of another entry of its list (see
// nameVariants), a folded duplicate, a one-letter slip or a Jaro-Winkler look-alike (0.92, the
// linkage's threshold) of another entry (TestBackgroundNameLists checks all of it).

// backgroundNames returns the background's lists: per group and kind, the base list of
// nameGroups first (so that its indexes keep their meaning), then the extras.
func backgroundNames() [nGroups]nameGroup {
	base, extra := nameGroups(), bgNameExtras()
	cat := func(a, b []string) []string { return append(append(make([]string, 0, len(a)+len(b)), a...), b...) }
	var out [nGroups]nameGroup
	for g := range out {
		out[g] = nameGroup{
			male:     cat(base[g].male, extra[g].male),
			female:   cat(base[g].female, extra[g].female),
			surnames: cat(base[g].surnames, extra[g].surnames),
			places:   cat(base[g].places, extra[g].places),
		}
	}
	return out
}

// bgNameExtras are the names and places the background draws from beyond the base lists.
func bgNameExtras() [nGroups]nameGroup {
	return [nGroups]nameGroup{
		grpArabic: {
			male: []string{
				"Hamza", "Amine", "Mehdi", "Samir", "Walid", "Adil", "Driss", "Mounir", "Abdelkader",
				"Abdelaziz", "Noureddine", "Hicham", "Anouar", "Younes", "Zakaria", "Soufiane", "Ayoub",
				"Yassine", "Ismail", "Othmane", "Reda", "Faisal", "Majid", "Salim", "Fouad", "Jalal", "Kamal",
				"Mourad", "Ziad", "Firas", "Rami", "Wael", "Imad", "Mohsen", "Ayman", "Osama", "Adnan",
				"Marwan", "Nizar", "Hakim", "Redouane", "Taoufik",
			},
			female: []string{
				"Salma", "Yasmina", "Sara", "Hanane", "Naima", "Malika", "Rachida", "Latifa", "Nadia",
				"Karima", "Souad", "Loubna", "Siham", "Hind", "Ikram", "Imane", "Ilham", "Asmaa", "Hajar",
				"Sanae", "Wafae", "Dounia", "Najat", "Hafsa", "Rania", "Dalia", "Lina", "Maha", "Ghada",
				"Hiba", "Rasha", "Nisrine", "Jamila", "Habiba", "Kenza", "Soukaina", "Bouchra", "Hayat",
				"Mouna", "Nawal", "Amal", "Widad",
			},
			surnames: []string{
				// Maghreb
				"Bennani", "Alaoui", "El Fassi", "Berrada", "Tazi", "Chraibi", "Lahlou", "Benjelloun",
				"Bouazza", "Benmoussa", "Belhaj", "Ziani", "Bakkali", "Ouazzani", "Cherkaoui", "El Ouardi",
				"Azzouzi", "Kaddouri", "Mernissi", "Zerouali", "Hajji", "Boutaleb", "Slimani", "Aarab",
				"Choukri", "El Ghazi", "Belkacem", "Boulahrouz", "Laaroussi", "Bouchikhi", "Yahyaoui",
				"Benchekroun", "Sebti", "Guessous", "Filali", "Tounsi", "Daoudi", "Kabbaj", "Ennaji", "Zaoui",
				"El Hamdaoui", "Belaid", "Benaissa", "Meziane", "Hamidi", "Boudiaf", "Cherif", "Larbi",
				"Benyahia", "Saadi", "Mekki", "Trabelsi", "Ben Ammar", "Jaziri", "Gharbi", "Chaabane",
				"Mejri", "Khelifi", "Hammami", "Mabrouk", "Sassi", "Dridi", "Ayari", "Jlassi", "Hamrouni",
				"Abidi", "Kefi",
				// Mashriq, Iraq, Egypt, Sudan
				"Al-Khatib", "Al-Masri", "Al-Obeidi", "Al-Jabouri", "Al-Dulaimi", "Al-Tamimi", "Al-Shammari",
				"Al-Zubaidi", "Al-Hashimi", "Al-Ani", "Al-Bayati", "Al-Azzawi", "Al-Rubaie", "Al-Qaisi",
				"Al-Kubaisi", "Abboud", "Haidar", "Khoury", "Awad", "Issa", "Darwish", "Hijazi", "Sabbagh",
				"Atallah", "Kassab", "Najjar", "Attar", "Farah", "Halabi", "Zidan", "Hammoud", "Fahmy",
				"El-Sayed", "Fawzi", "Ghanem", "Soliman", "Shehata", "Ragab", "Farouk", "Osman", "Ashour",
				"Zaki", "Babiker", "Elamin",
			},
			places: []string{
				"Bassora", "Kirkouk", "Souleimaniye", "Nadjaf", "Kerbala", "Falloujah", "Ramadi", "Dohouk",
				"Hama", "Lattaquié", "Deir ez-Zor", "Raqqa", "Idlib", "Deraa", "Qamichli", "Hassaké",
				"Tartous", "Rabat", "Fès", "Marrakech", "Meknès", "Agadir", "Oujda", "Tétouan", "Al Hoceïma",
				"Kénitra", "Salé", "Berkane", "El Jadida", "Safi", "Béni Mellal", "Khouribga", "Alexandrie",
				"Gizeh", "Louxor", "Assouan", "Port-Saïd", "Constantine", "Annaba", "Sétif", "Blida",
				"Tlemcen", "Béjaïa", "Tizi Ouzou", "Batna", "Tunis", "Sfax", "Sousse", "Bizerte", "Kairouan",
				"Gabès", "Benghazi", "Misrata", "Omdurman", "Port-Soudan", "Beyrouth", "Saïda", "Tyr",
				"Amman", "Zarqa", "Irbid", "Gaza", "Naplouse", "Hébron", "Ramallah", "Jénine",
			},
		},
		grpAlbanian: {
			male: []string{
				"Bujar", "Edmond", "Elton", "Endrit", "Erion", "Fatos", "Genc", "Gentian", "Klodian",
				"Lulzim", "Mentor", "Naim", "Orges", "Petrit", "Redon", "Shkelzen", "Sokol", "Taulant",
				"Visar", "Xhevdet", "Ylli", "Altin", "Armend", "Bekim", "Burim", "Dardan", "Enver", "Fisnik",
				"Granit", "Hysen", "Kastriot", "Labinot", "Mergim", "Nexhat", "Rinor", "Shpetim", "Skender",
				"Adem", "Bashkim", "Fitim", "Gjergj", "Jetmir", "Leotrim", "Luan",
			},
			female: []string{
				"Albana", "Anila", "Besa", "Brikena", "Dafina", "Donika", "Elona", "Enkeleda", "Entela",
				"Erjona", "Fatbardha", "Flutura", "Genta", "Hana", "Ilirjana", "Kaltrina", "Klea", "Ledia",
				"Lindita", "Luljeta", "Majlinda", "Merita", "Mimoza", "Nora", "Oriola", "Pranvera", "Rina",
				"Rozafa", "Shqipe", "Teuta", "Valbona", "Adelina", "Alketa", "Arjeta", "Besarta", "Diellza",
				"Fjolla", "Gresa", "Liridona", "Marigona", "Qendresa",
			},
			surnames: []string{
				"Ahmeti", "Aliu", "Avdiu", "Bajrami", "Basha", "Begolli", "Beqiri", "Bislimi", "Bajraktari",
				"Cani", "Dauti", "Demiri", "Doda", "Duka", "Dushku", "Elezi", "Fejza", "Gjoka", "Gjoni",
				"Haliti", "Hasani", "Hajdari", "Haxhiu", "Hyseni", "Isufi", "Jashari", "Kastrati", "Kola",
				"Kuqi", "Llapashtica", "Malaj", "Mehmeti", "Nikolla", "Osmani", "Pllana", "Prenga", "Qosja",
				"Rama", "Rexhepi", "Rrahmani", "Sadiku", "Salihu", "Selimi", "Shala", "Shabani", "Sinani",
				"Spahiu", "Sula", "Tahiri", "Thaçi", "Topalli", "Veseli", "Vata", "Xhaferi", "Bushati",
				"Dibra", "Dema", "Kapllani", "Koci", "Lleshi", "Marku", "Meta", "Mici", "Ndreu", "Nushi",
				"Qorri", "Rushiti", "Sefa", "Shkurti", "Toska", "Vrioni", "Zogu", "Ademi", "Bunjaku", "Hoti",
				"Latifi", "Limani", "Maliqi", "Preteni", "Rugova", "Ukshini", "Vokshi", "Zenuni", "Bregu",
				"Gjonaj", "Lulaj", "Ferizi", "Ramadani", "Dreshaj",
			},
			places: []string{
				"Korçë", "Fier", "Berat", "Lushnjë", "Kavajë", "Gjirokastër", "Sarandë", "Pogradec", "Kukës",
				"Lezhë", "Peshkopi", "Krujë", "Tepelenë", "Përmet", "Burrel", "Kuçovë", "Lac", "Gramsh",
				"Librazhd", "Peqin", "Rrëshen", "Pejë", "Gjakovë", "Ferizaj", "Gjilan", "Mitrovicë",
				"Podujevë", "Vushtrri", "Suharekë", "Rahovec", "Malishevë", "Drenas", "Lipjan", "Kaçanik",
				"Deçan", "Istog", "Klinë", "Skopje", "Tetovo", "Gostivar", "Kumanovo", "Kicevo", "Struga",
				"Debar", "Ohrid",
			},
		},
		grpEritrean: {
			male: []string{
				"Abraham", "Amanuel", "Aron", "Daniel", "Efrem", "Eyob", "Fitsum", "Goitom", "Habtom",
				"Isaias", "Kibrom", "Merhawi", "Mussie", "Natnael", "Okbay", "Semere", "Simon", "Tewelde",
				"Yemane", "Yosief", "Mulugeta", "Tsegay", "Ermias", "Elias", "Solomon", "Tedros", "Mikael",
				"Abel", "Awet", "Bereket", "Yared", "Temesgen", "Getachew", "Alemayehu", "Abdi", "Abdirahman",
				"Abdikarim", "Liban", "Abdiwali", "Guled", "Bashir", "Mahad",
			},
			female: []string{
				"Aster", "Azieb", "Almaz", "Betelhem", "Eden", "Elsa", "Feven", "Freweini", "Hiwet", "Hanna",
				"Kidist", "Lidya", "Mebrat", "Meron", "Mihret", "Rigat", "Ruth", "Semhar", "Salina", "Tsega",
				"Tsehay", "Yordanos", "Yohana", "Mekdes", "Abeba", "Genet", "Hirut", "Tigist", "Meaza",
				"Ribka", "Selamawit", "Timnit", "Lemlem", "Nigisti", "Adiam", "Danait", "Ferhiwet", "Muna",
				"Hodan", "Fadumo", "Hawa", "Sahra", "Ayan", "Ifrah", "Nimo",
			},
			surnames: []string{
				// Eritrea and Ethiopia (surnames are fathers' names)
				"Abraha", "Andemariam", "Araya", "Asmerom", "Bahta", "Beyene", "Debesai", "Estifanos",
				"Fesseha", "Gebremedhin", "Gebrehiwet", "Gebrekidan", "Ghirmay", "Hagos", "Iyasu", "Kahsay",
				"Kiflom", "Mebrahtu", "Measho", "Mengistu", "Mesfin", "Okbamichael", "Russom", "Sebhatu",
				"Teklehaimanot", "Teweldemedhin", "Tsegai", "Woldegiorgis", "Zeray", "Zemichael", "Andom",
				"Demoz", "Fikre", "Gebru", "Kebede", "Lemma", "Mamo", "Tadesse", "Tefera", "Ayele", "Bekele",
				"Girma", "Alemu", "Desta", "Worku", "Assefa", "Abebe", "Getahun", "Tilahun", "Demissie",
				"Gebreegziabher", "Mekonnen", "Shiferaw", "Yilma", "Zewde", "Amare", "Kidanemariam",
				"Weldegebriel", "Tesfamariam", "Tesfamichael", "Gebreselassie", "Medhanie", "Habtemariam",
				"Mehreteab", "Sium", "Woldeab", "Kifle",
				// Somalia
				"Farah", "Warsame", "Jama", "Osman", "Aden", "Nur", "Egal", "Hirsi", "Duale", "Samatar",
				"Dahir", "Ismail", "Shire", "Elmi", "Barre", "Gedi", "Awale", "Muse", "Bile", "Sheikh",
			},
			places: []string{
				"Dekemhare", "Barentu", "Agordat", "Assab", "Adi Keyh", "Adi Quala", "Teseney", "Ghinda",
				"Nakfa", "Senafe", "Afabet", "Segheneyti", "Adi Tekelezan", "Areza", "Hagaz", "Mekele",
				"Gondar", "Bahir Dar", "Dessie", "Harar", "Dire Dawa", "Jimma", "Awassa", "Adama", "Axoum",
				"Lalibela", "Debre Markos", "Humera", "Hargeisa", "Kismayo", "Baidoa", "Beledweyne", "Bosaso",
				"Galkayo", "Garowe", "Berbera", "Burao", "Merca", "Djibouti", "Kassala",
			},
		},
		grpAfghan: {
			male: []string{
				"Abdul", "Bashir", "Baryalai", "Daoud", "Ehsan", "Emal", "Faisal", "Ghulam", "Habib",
				"Hekmat", "Idris", "Jamshid", "Karim", "Khalil", "Mahdi", "Masoud", "Mirwais", "Murtaza",
				"Naveed", "Noorullah", "Obaidullah", "Omid", "Qasim", "Rahim", "Rahmatullah", "Sadiq",
				"Samiullah", "Shafiq", "Shahid", "Sohrab", "Tahir", "Wahid", "Yama", "Zaher", "Zia", "Amir",
				"Arash", "Behnam", "Dariush", "Farhad", "Imran", "Kamran", "Usman", "Waqas", "Asif", "Junaid",
				"Zubair",
			},
			female: []string{
				"Fariba", "Fereshteh", "Gulalai", "Hamida", "Homa", "Laila", "Mahbooba", "Malalai", "Marzia",
				"Masooma", "Mina", "Mursal", "Nadia", "Nargis", "Nasrin", "Nazanin", "Niloufar", "Roya",
				"Sahar", "Samira", "Shirin", "Sima", "Tahmina", "Yasmin", "Zarghona", "Farzana", "Bibi",
				"Habiba", "Hasina", "Khatera", "Mahnaz", "Mahsa", "Marjan", "Negin", "Parvin", "Rukhsar",
				"Shazia", "Rabia", "Sana", "Uzma", "Amna", "Mehwish",
			},
			surnames: []string{
				// Afghanistan
				"Alizai", "Amin", "Barakzai", "Durrani", "Ghani", "Haidari", "Hashimi", "Habibi", "Jalali",
				"Kakar", "Khan", "Mangal", "Nazari", "Niazi", "Nuristani", "Omari", "Qaderi", "Qureshi",
				"Safi", "Sahak", "Samadi", "Sharifi", "Stanekzai", "Wardak", "Yousufzai", "Zazai", "Faizi",
				"Azizi", "Akbari", "Sadat", "Saberi", "Nabizada", "Rasuli", "Hotak",
				// Iran
				"Rostami", "Ghorbani", "Hosseinzadeh", "Moradi", "Kazemi", "Asadi", "Bagheri", "Sadeghi",
				"Abbasi", "Taheri", "Salehi", "Ghasemi", "Mousavi", "Shirazi", "Tehrani", "Esfahani",
				"Kamali", "Najafi", "Farahani", "Yazdani", "Zand", "Ansari", "Khalili", "Alavi", "Mirzaei",
				"Rahnama", "Davoudi", "Jahani", "Shahbazi",
				// Pakistan
				"Chaudhry", "Malik", "Butt", "Iqbal", "Siddiqui", "Akhtar", "Baig", "Javed", "Aslam", "Anwar",
				"Shah", "Bhatti", "Rana", "Awan", "Gill", "Cheema", "Rehman", "Mughal", "Rizvi", "Zaidi",
				"Naqvi", "Jatoi", "Memon", "Khattak", "Afridi",
			},
			places: []string{
				"Kunduz", "Ghazni", "Baghlan", "Pol-e Khomri", "Khost", "Gardez", "Lashkar Gah", "Farah",
				"Charikar", "Asadabad", "Mehtar Lam", "Fayzabad", "Taloqan", "Cheberghan", "Maimana",
				"Bamiyan", "Zaranj", "Qalat", "Tarin Kot", "Spin Boldak", "Ispahan", "Chiraz", "Tabriz",
				"Qom", "Ahvaz", "Kermanshah", "Zahedan", "Yazd", "Rasht", "Ourmia", "Hamadan", "Islamabad",
				"Rawalpindi", "Peshawar", "Quetta", "Faisalabad", "Multan", "Gujranwala", "Sialkot",
			},
		},
		grpVietnamese: {
			male: []string{
				"Van Nam", "Van Duc", "Van Hai", "Van Toan", "Van Khanh", "Van Quyet", "Van Thinh", "Duc Huy",
				"Duc Tai", "Minh Tuan", "Quoc Bao", "Quoc Viet", "Hoang Nam", "Hoang Long", "Thanh Tung",
				"Ngoc Son", "Huu Nghia", "Huu Tho", "Manh Hung", "Tien Dat", "Trung Kien", "Xuan Truong",
				"Dinh Khoa", "Cong Vinh", "Hai Dang", "Bao Long", "Anh Tuan", "Dang Khoa", "Quoc Huy",
				"Minh Khang", "Gia Bao", "Tuan Kiet", "Nhat Minh", "Cong Danh", "Viet Hoang", "Trong Nghia",
				"Khac Tiep", "Phuc Thinh", "Tan Phat",
			},
			female: []string{
				"Thi Thu", "Thi Nga", "Thi Hien", "Thi Nhung", "Thi Tuyet", "Thi Diep", "Thi Kim", "Thi Bich",
				"Thi Quynh", "Thi Tam", "Thanh Huyen", "Thu Ha", "Kim Anh", "Bich Ngoc", "Minh Chau",
				"Hong Nhung", "Phuong Linh", "Thuy Duong", "Mai Anh", "Lan Anh", "Bao Ngoc", "Khanh Linh",
				"Phuong Thao", "Thao Vy", "Tuyet Mai", "Kieu Oanh", "Diem My", "Cam Tu", "Hoai Thuong",
				"Bich Tram", "Ai Van", "Kim Ngan", "My Linh", "Hai Yen",
			},
			// Vietnamese family names are few and short: names of up to three letters that differ
			// in one letter (Le, Ly, La) are different names, and too short for a slip to pass as
			// the same name.
			surnames: []string{
				"Ho", "Duong", "Ly", "Dao", "Dinh", "Lam", "Luu", "Mai", "Ta", "Trinh", "Truong", "Cao",
				"Chau", "Dam", "Diep", "Giang", "Ha", "Kieu", "La", "Lai", "Ma", "Mac", "Nghiem", "Quach",
				"Thach", "Tong", "Trieu", "Vo", "Huynh", "Khuc", "Lu", "Thai", "Quan", "Bach", "Cu", "Giap",
				"Hua", "Khong", "Kha", "Lo", "Phi", "Phung", "Tat", "To", "Vi", "Au", "An", "Bien",
				"Cam", "Chiem", "Kim", "Lac", "Sam", "Son", "Tao", "Tiet", "Tu", "Ung",
			},
			places: []string{
				"Hue", "Da Nang", "Can Tho", "Nam Dinh", "Thai Binh", "Thanh Hoa", "Ninh Binh", "Hai Duong",
				"Bac Ninh", "Bac Giang", "Hung Yen", "Ha Nam", "Vinh Phuc", "Phu Tho", "Thai Nguyen",
				"Lang Son", "Ha Long", "Lao Cai", "Yen Bai", "Tuyen Quang", "Son La", "Hoa Binh", "Quang Tri",
				"Quang Nam", "Binh Dinh", "Nha Trang", "Da Lat", "Vung Tau", "Bien Hoa", "Long An",
				"Tien Giang", "Ben Tre", "Vinh Long", "Soc Trang", "Bac Lieu", "Ca Mau", "An Giang",
				"Dong Nai", "Binh Duong", "Vinh", "Cao Bang",
			},
		},
		grpRomanian: {
			male: []string{
				"Alexandru", "Bogdan", "Catalin", "Ciprian", "Claudiu", "Cosmin", "Costel", "Daniel",
				"Dragos", "Emil", "Eugen", "Gabriel", "Grigore", "Iulian", "Laurentiu", "Liviu", "Lucian",
				"Marian", "Mircea", "Nicolae", "Ovidiu", "Petru", "Radu", "Razvan", "Sebastian", "Sorin",
				"Stefan", "Valentin", "Vasile", "Viorel", "Victor", "Ilie", "Aurel", "Octavian", "Paul",
				"Silviu", "Tudor", "Vlad", "Traian", "Sergiu",
				// Ukraine (UA names the Romanian tradition's group)
				"Serhiy", "Oleg", "Igor", "Yuriy", "Volodymyr", "Mykola", "Taras", "Roman", "Vitaliy",
				"Artem",
			},
			female: []string{
				"Adriana", "Anca", "Bianca", "Camelia", "Carmen", "Catalina", "Claudia", "Corina", "Cristina",
				"Daniela", "Diana", "Doina", "Gabriela", "Georgiana", "Ileana", "Irina", "Larisa", "Laura",
				"Loredana", "Madalina", "Mirela", "Monica", "Nicoleta", "Raluca", "Roxana", "Simona",
				"Stefania", "Teodora", "Valentina", "Violeta", "Alexandra", "Angela", "Lavinia", "Livia",
				"Luminita", "Veronica", "Iuliana", "Rodica", "Oksana", "Tetiana", "Yulia", "Kateryna",
				"Halyna", "Lyudmyla", "Viktoriya",
			},
			surnames: []string{
				"Popa", "Matei", "Marin", "Florea", "Dobre", "Barbu", "Nistor", "Ene", "Dima", "Mocanu",
				"Oprea", "Voicu", "Diaconu", "Sandu", "Toma", "Cristea", "Nita", "Serban", "Tanase", "Lazar",
				"Anghel", "Enache", "Iordache", "Neagu", "Manea", "Coman", "Mihaila", "Stanciu", "Preda",
				"Paraschiv", "Ardeleanu", "Bucur", "Dragomir", "Badea", "Bratu", "Cazacu", "Chiriac",
				"Cojocaru", "Cozma", "Dinca", "Georgescu", "Grigorescu", "Iancu", "Lupu", "Marinescu",
				"Negru", "Nedelcu", "Olteanu", "Pavel", "Petrescu", "Pirvu", "Radulescu", "Rotaru", "Sava",
				"Suciu", "Ungureanu", "Zamfir", "Balan", "Craciun", "Ghita", "Ionita", "Marcu", "Moraru",
				"Pana", "Pascu", "Teodorescu", "Tudose", "Vlaicu", "Albu",
				// Moldova
				"Ceban", "Grosu", "Cebotari", "Turcan", "Sirbu", "Gutu",
				// Ukraine
				"Bondarenko", "Tkachenko", "Kravchenko", "Boyko", "Kovalchuk", "Melnyk", "Oliynyk", "Savchuk",
				"Rudenko", "Moroz", "Lysenko", "Marchenko", "Petrenko", "Pavlenko", "Ponomarenko", "Tkachuk",
				"Kozak", "Polishchuk", "Sydorenko", "Shevchuk",
			},
			places: []string{
				"Cluj-Napoca", "Brasov", "Galati", "Ploiesti", "Oradea", "Braila", "Arad", "Pitesti", "Sibiu",
				"Suceava", "Targu Mures", "Baia Mare", "Buzau", "Botosani", "Satu Mare", "Ramnicu Valcea",
				"Drobeta-Turnu Severin", "Piatra Neamt", "Targu Jiu", "Focsani", "Tulcea", "Resita",
				"Slatina", "Calarasi", "Alba Iulia", "Giurgiu", "Deva", "Hunedoara", "Vaslui", "Zalau",
				"Bistrita", "Slobozia", "Alexandria", "Targoviste", "Balti", "Tiraspol", "Orhei", "Cahul",
				"Ungheni", "Lviv", "Dnipro", "Zaporijia", "Vinnytsia", "Tchernivtsi", "Ivano-Frankivsk",
				"Oujhorod",
			},
		},
		grpBulgarian: {
			male: []string{
				"Aleksandar", "Angel", "Anton", "Asen", "Atanas", "Boris", "Boyan", "Daniel", "Emil",
				"Evgeni", "Filip", "Galin", "Iliya", "Kaloyan", "Kamen", "Kiril", "Krasimir", "Lyubomir",
				"Martin", "Metodi", "Mihail", "Milen", "Ognyan", "Plamen", "Radoslav", "Rumen", "Simeon",
				"Spas", "Stanislav", "Svetoslav", "Teodor", "Tsvetan", "Valentin", "Vasil", "Veselin",
				"Viktor", "Vladimir", "Zdravko", "Deyan", "Emanuil", "Miroslav", "Yavor", "Zhivko", "Tihomir",
			},
			female: []string{
				"Anna", "Antoaneta", "Boryana", "Daniela", "Diana", "Dimitrina", "Emilia", "Gergana",
				"Hristina", "Iliana", "Iva", "Katya", "Kremena", "Krasimira", "Lilyana", "Lyudmila",
				"Magdalena", "Margarita", "Milena", "Mira", "Nadezhda", "Nevena", "Nikoleta", "Neli",
				"Polina", "Rositsa", "Rumyana", "Silviya", "Snezhana", "Stefka", "Svetla", "Teodora",
				"Tsvetelina", "Valentina", "Vanya", "Velichka", "Veselina", "Violeta", "Yana", "Zornitsa",
				"Denitsa", "Borislava", "Ralitsa", "Albena",
			},
			surnames: []string{
				"Atanasov", "Borisov", "Dimov", "Vasilev", "Marinov", "Kolev", "Yordanov", "Stefanov",
				"Mihaylov", "Iliev", "Nedelchev", "Popov", "Pavlov", "Mitev", "Tsvetkov", "Krastev", "Yankov",
				"Kirov", "Genov", "Dobrev", "Stanchev", "Radev", "Hadzhiev", "Zhelev", "Penev", "Lazarov",
				"Kolarov", "Stoev", "Ganchev", "Slavov", "Spasov", "Tonev", "Markov", "Stoilov", "Kamenov",
				"Grigorov", "Ilchev", "Simeonov", "Aleksiev", "Dinev", "Rusev", "Valchev", "Yanev",
				"Mladenov", "Manolov", "Bogdanov", "Kovachev", "Karaivanov", "Danailov", "Bozhilov",
				"Velikov", "Zlatev", "Nachev", "Stamatov", "Tomov", "Raykov", "Pehlivanov", "Parvanov",
				"Peshev", "Yotov", "Chakarov", "Gospodinov", "Denchev", "Draganov", "Gavrilov", "Gochev",
				"Kuzmanov", "Lalov", "Minchev", "Mutafchiev", "Nedev", "Panayotov", "Sirakov", "Tashev",
				"Terziev", "Uzunov", "Yurukov", "Zahariev", "Chaushev", "Boyadzhiev", "Kalinov", "Shopov",
				"Filipov", "Zhivkov", "Andreev", "Bakalov", "Blagoev", "Kyuchukov", "Tsankov",
			},
			places: []string{
				"Ruse", "Stara Zagora", "Shumen", "Dobrich", "Pernik", "Haskovo", "Yambol", "Blagoevgrad",
				"Veliko Tarnovo", "Vratsa", "Gabrovo", "Asenovgrad", "Vidin", "Kazanlak", "Kyustendil",
				"Kardzhali", "Montana", "Dimitrovgrad", "Targovishte", "Lovech", "Silistra", "Razgrad",
				"Dupnitsa", "Gorna Oryahovitsa", "Smolyan", "Petrich", "Sandanski", "Samokov", "Sevlievo",
				"Lom", "Karlovo", "Velingrad", "Nova Zagora", "Troyan", "Aytos", "Botevgrad", "Gotse Delchev",
				"Svishtov", "Harmanli", "Karnobat", "Panagyurishte", "Chirpan", "Peshtera", "Razlog",
			},
		},
		grpBelgian: {
			male: []string{
				"Bart", "Tom", "Geert", "Kris", "Johan", "Stijn", "Joris", "Bram", "Sander", "Dries", "Jens",
				"Lucas", "Arnaud", "Julien", "Nicolas", "Sébastien", "Laurent", "Michel", "Philippe",
				"Pascal", "Eric", "Alain", "Christophe", "Frédéric", "Vincent", "Guillaume", "Maxime",
				"Quentin", "Antoine", "Mathieu", "Xavier", "Gilles", "Yves", "Bernard", "Serge", "Hugo",
				"Ruben", "Steven", "Ward", "Sven", "Yannick", "Thibault", "Cédric",
			},
			female: []string{
				"Katrien", "Veerle", "Sarah", "Lien", "Evi", "Hilde", "Griet", "Nele", "Liesbeth", "Tine",
				"Lotte", "Elke", "Femke", "Jolien", "Laura", "Julie", "Manon", "Emma", "Louise", "Charlotte",
				"Pauline", "Caroline", "Sandrine", "Valérie", "Véronique", "Christine", "Catherine", "Sylvie",
				"Virginie", "Delphine", "Aurélie", "Mélanie", "Audrey", "Justine", "Laetitia", "Sabine",
				"Annick", "Brigitte", "Monique", "Mieke", "Ilse", "Ingrid", "Kathleen", "Marleen", "Lieve",
				"Saskia",
			},
			surnames: []string{
				// Flanders
				"Van de Velde", "Van Damme", "De Vos", "Smets", "Verstraete", "De Backer", "Michiels",
				"Segers", "Aerts", "Verhoeven", "Coppens", "Stevens", "Bogaerts", "Verbeke", "De Clercq",
				"Van Acker", "De Wilde", "Dierickx", "Cools", "Verlinden", "Van Dyck", "Van Hoof", "Lenaerts",
				"Pauwels", "Hendrickx", "Thys", "Wuyts", "Van Looy", "Vandenberghe", "Van Laere", "De Meyer",
				"Vervoort", "De Cock", "Daems", "Verschueren", "Van Hecke", "Geerts", "Vanhove", "Claessens",
				"Mahieu", "Boeckx", "Baert", "Beckers", "Van Gestel", "De Bruyne", "Maenhout", "Dewulf",
				"Ceulemans", "Vanderstraeten", "Van Gorp", "Cornelis", "Vercammen", "Van Aelst", "Bosmans",
				"Heylen", "Huybrechts", "Lemmens", "Mathys", "Moens", "Nijs", "Roels", "Schepens", "Sels",
				"Timmermans", "Vanderheyden", "Verbruggen", "Verhaegen", "Vermeersch", "Vlaeminck",
				"Willaert", "De Ridder", "De Pauw", "De Groote", "De Keyser", "D'Hondt", "De Jonghe",
				"Van Campenhout", "Van Houtte", "Goethals", "Verbist", "Ooms", "Sterckx", "Lauwers",
				"Rogiers", "Bracke", "Buyse", "Callens", "Cappelle", "Cuypers", "Everaert", "Gielen",
				"Govaerts", "Haesaert", "Kerkhofs", "Loos", "Meeus", "Op de Beeck", "Pattyn", "Quintens",
				"Rombouts", "Swinnen", "Tielemans", "Van Belle", "Van Camp", "Van Mol", "Verelst",
				"Verstappen", "Wijns", "Ysebaert", "Vanneste", "Vandenbussche", "Coene", "Demeester",
				"Blommaert", "Baeten", "Bollen", "Leemans", "Adriaens", "Lievens", "Smolders", "Stas",
				"Vandecasteele", "Delanghe", "Deschepper", "Van Puyvelde", "Vermeiren",
				// Wallonia and Brussels
				"Leroy", "Simon", "Collard", "Denis", "Charlier", "Petit", "Fontaine", "Gérard", "Lemaire",
				"Jacquet", "Henry", "Hubert", "Fournier", "Gilson", "Lecomte", "Wéry", "Marchal", "Collignon",
				"Thiry", "Hardy", "Goffin", "Bodart", "Delvaux", "Lambotte", "Massart", "Piette", "Rousseau",
				"Dethier", "Lardinois", "Dumoulin", "Delhaye", "Bastin", "Bertrand", "Beaujean", "Evrard",
				"Gillet", "Hoste", "Jadoul", "Jamar", "Lecocq", "Lhoest", "Mignon", "Poncelet", "Remacle",
				"Robert", "Schmitz", "Toussaint", "Delhez", "Wilmet", "Thonon", "Docquier", "Englebert",
				"Habets", "Lallemand", "Lebrun", "Leloup", "Michaux", "Moreau", "Piron", "Rasquin", "Servais",
				"Colin", "Baudoux", "Delforge", "Laloux", "Masson", "Mercier", "Neven", "Pierard", "Renson",
				"Tilmant", "Culot", "Dufour", "Fraiture", "Hallet", "Lacroix", "Leblanc", "Minet", "Delcourt",
				"Ledent", "Dehon", "Mouton", "Pirotte", "Gauthier",
				// the Netherlands and France
				"Bakker", "Visser", "Smit", "de Boer", "Mulder", "Bos", "Dekker", "Brouwer", "de Graaf",
				"van der Meer", "van Leeuwen", "Dijkstra", "Kok", "Huisman", "Prins", "de Wit", "Postma",
				"Veenstra", "Koster", "Boersma", "Durand", "Roux", "Morel", "Blanc", "Guerin", "Boyer",
				"Garnier", "Chevalier", "Bonnet", "Faure", "Blanchard", "Perrin", "Clément", "Morin", "Duval",
				"Dumas", "Lemoine", "Caron",
			},
			places: []string{
				// Flanders
				"Aalst", "Mechelen", "Sint-Niklaas", "Roeselare", "Dendermonde", "Turnhout", "Beveren",
				"Dilbeek", "Vilvoorde", "Lokeren", "Geel", "Heist-op-den-Berg", "Halle", "Waregem", "Ninove",
				"Lier", "Ieper", "Tienen", "Beringen", "Lommel", "Knokke-Heist", "Ronse", "Maasmechelen",
				"Tongeren", "Herentals", "Torhout", "Izegem", "Wetteren", "Zele", "Deinze", "Eeklo",
				"Oudenaarde", "Menen", "Harelbeke", "Diest", "Aarschot", "Zaventem", "Grimbergen", "Asse",
				"Sint-Truiden", "Bilzen", "Temse", "Brasschaat", "Schoten", "Mortsel", "Kapellen", "Boom",
				"Willebroek", "Zottegem", "Poperinge", "Diksmuide", "Tielt", "Blankenberge", "Koksijde",
				"De Panne", "Maaseik", "Pelt", "Houthalen-Helchteren", "Heusden-Zolder", "Bree",
				"Hoogstraten", "Kasterlee", "Westerlo", "Zwevegem", "Wevelgem", "Merelbeke", "Lochristi",
				"Zelzate", "Wervik", "Bornem", "Kontich", "Edegem", "Ranst", "Zoersel", "Essen", "Kalmthout",
				"Zemst", "Keerbergen", "Tervuren", "Overijse", "Haacht", "Landen",
				// Wallonia
				"Tournai", "Mouscron", "Verviers", "Seraing", "La Louvière", "Wavre", "Arlon",
				"Ottignies-Louvain-la-Neuve", "Braine-l'Alleud", "Waterloo", "Nivelles", "Herstal",
				"Châtelet", "Binche", "Huy", "Ath", "Soignies", "Fleurus", "Gembloux", "Dinant", "Andenne",
				"Eupen", "Malmedy", "Spa", "Bastogne", "Marche-en-Famenne", "Ciney", "Philippeville",
				"Couvin", "Chimay", "Thuin", "Jodoigne", "Tubize", "Rixensart", "Saint-Ghislain", "Quaregnon",
				"Frameries", "Boussu", "Courcelles", "Fontaine-l'Évêque", "Farciennes", "Sambreville",
				"Flémalle", "Ans", "Waremme", "Visé", "Hannut", "Saint-Vith", "Bouillon", "Virton",
				"Neufchâteau", "Libramont-Chevigny", "Comines-Warneton", "Péruwelz", "Enghien", "Lessines",
				// Brussels
				"Anderlecht", "Schaerbeek", "Molenbeek-Saint-Jean", "Ixelles", "Uccle", "Etterbeek", "Forest",
				"Jette", "Saint-Gilles", "Woluwe-Saint-Lambert", "Evere", "Auderghem", "Koekelberg",
				"Ganshoren", "Berchem-Sainte-Agathe", "Watermael-Boitsfort", "Saint-Josse-ten-Noode",
				"Woluwe-Saint-Pierre",
				// the Netherlands and France
				"Breda", "Eindhoven", "Maastricht", "Tilburg", "'s-Hertogenbosch", "Utrecht", "Den Haag",
				"Vlissingen", "Terneuzen", "Roubaix", "Tourcoing", "Dunkerque", "Valenciennes", "Lens",
				"Arras", "Calais", "Maubeuge", "Reims", "Metz", "Lyon", "Marseille", "Strasbourg",
			},
		},
		grpNigerian: {
			male: []string{
				"Adebayo", "Babatunde", "Chukwuemeka", "Obinna", "Uche", "Nnamdi", "Olumide", "Segun", "Femi",
				"Kelechi", "Ifeanyi", "Oluwaseun", "Chidi", "Ebuka", "Eghosa", "Osaze", "Osaro", "Ehis",
				"Ikenna", "Daniel", "Emmanuel", "Michael", "John", "Peter", "Friday", "Monday", "Innocent",
				"Prince", "Felix", "Victor", "Stanley", "Musa", "Abubakar", "Usman", "Aminu",
				// Ghana
				"Kwame", "Kofi", "Kwabena", "Kwaku", "Yaw", "Kojo", "Ebenezer",
			},
			female: []string{
				"Adaeze", "Amaka", "Chiamaka", "Chioma", "Chinwe", "Ngozi", "Nkechi", "Ifeoma", "Adaora",
				"Uchechi", "Funmilayo", "Folake", "Yetunde", "Bukola", "Omolara", "Titilayo", "Itohan", "Eki",
				"Ivie", "Princess", "Comfort", "Patience", "Faith", "Hope", "Charity", "Happiness", "Loveth",
				"Glory", "Rita", "Vivian", "Jennifer", "Hauwa",
				// Ghana
				"Akosua", "Ama", "Abena", "Efua", "Adwoa", "Afia", "Yaa",
			},
			surnames: []string{
				// Igbo
				"Okeke", "Nwachukwu", "Obi", "Okoro", "Onyeka", "Nwankwo", "Chukwu", "Okoye", "Ugwu", "Nnadi",
				"Agu", "Ani", "Okpara", "Ibe", "Anyanwu", "Onuoha", "Uzor", "Iwu", "Madu", "Nweke", "Obiora",
				"Ogbonna", "Udeh", "Onwuka", "Ekwueme", "Ndukwe", "Nwafor",
				// Yoruba
				"Adewale", "Afolabi", "Akinola", "Bakare", "Balogun", "Ogunbiyi", "Oladipo", "Olatunji",
				"Ojo", "Ogundipe", "Adeleke", "Adeniyi", "Fashola", "Oyewole", "Salami", "Alade", "Akande",
				"Olaniyan", "Odunsi", "Ige", "Ajayi", "Oyebanji", "Lawal", "Babalola",
				// Edo
				"Aigbe", "Ehigiator", "Iyamu", "Osayande", "Idahosa", "Ekhator", "Aghedo", "Erhabor",
				"Osazuwa", "Ogbeide", "Igbinosa", "Imasuen", "Osaghae", "Asemota", "Ighodaro", "Oviawe",
				"Eweka", "Enabulele",
				// Hausa
				"Bello", "Garba", "Danjuma", "Yakubu", "Aliyu",
				// Ghana
				"Owusu", "Asante", "Boateng", "Osei", "Appiah", "Agyeman", "Amoah", "Ansah", "Darko", "Addo",
				"Ofori", "Acheampong", "Antwi", "Bonsu", "Frimpong", "Gyamfi", "Opoku", "Quaye", "Sarpong",
				"Tetteh", "Yeboah", "Adjei", "Amponsah",
			},
			places: []string{
				"Ibadan", "Enugu", "Onitsha", "Owerri", "Aba", "Kaduna", "Jos", "Ilorin", "Warri", "Sapele",
				"Asaba", "Uyo", "Calabar", "Abeokuta", "Akure", "Oshogbo", "Ife", "Ekpoma", "Uromi", "Irrua",
				"Zaria", "Sokoto", "Maiduguri", "Yola", "Bauchi", "Makurdi", "Lokoja", "Minna", "Awka",
				"Nnewi", "Umuahia", "Abakaliki", "Ado-Ekiti", "Kumasi", "Tamale", "Takoradi", "Cape Coast",
				"Tema", "Sunyani", "Koforidua", "Obuasi",
			},
		},
		grpChinese: {
			male: []string{
				"Qiang", "Yong", "Jie", "Tao", "Bin", "Gang", "Feng", "Bo", "Kai", "Zhiwei", "Jianguo",
				"Haitao", "Xiaoming", "Jianhua", "Guoqiang", "Zhiqiang", "Weidong", "Junjie", "Hongwei",
				"Wenjie", "Kun", "Sheng",
				// Thailand
				"Somchai", "Somsak", "Anan", "Prasert", "Surachai", "Wichai", "Chaiwat", "Niran", "Sombat",
				"Kittisak",
				// the Philippines
				"Antonio", "Ramon", "Rodrigo", "Eduardo", "Mark", "Rommel", "Arnel", "Jomar",
			},
			female: []string{
				"Xiaoyan", "Lili", "Xia", "Lan", "Xue", "Jiao", "Lihua", "Xiuzhen", "Shuang", "Meiling",
				"Xiaohong", "Yanping", "Hongmei", "Chunhua", "Lijuan", "Jingjing", "Xiaoli", "Wenjing",
				"Shufen", "Siriporn", "Malee", "Somsri", "Kanya", "Nittaya", "Pranee", "Supaporn", "Wanida",
				"Ratana", "Apinya", "Maricel", "Rosalie", "Jocelyn", "Marites", "Lorna", "Analyn", "Rowena",
				"Jennylyn", "Lourdes", "Erlinda",
			},
			// Chinese family names are few and short, like Vietnamese ones (see there).
			surnames: []string{
				"Xu", "Sun", "Ma", "Hu", "Guo", "He", "Gao", "Luo", "Xie", "Song", "Han", "Deng", "Cao",
				"Xiao", "Pan", "Yuan", "Cai", "Jiang", "Yu", "Du", "Ye", "Su", "Lu", "Ren", "Yao", "Cui",
				"Tan", "Fan", "Fu", "Shi", "Xiong", "Jin", "Qin", "Shao", "Dai", "Bai", "Mao", "Qiu", "Gu",
				"Yin", "Lai", "Wen", "Ouyang", "Situ", "Leung", "Ng", "Lam", "Tse", "Yip", "Lau",
				// Thailand
				"Saetang", "Boonmee", "Jaidee", "Srisuk", "Somboon", "Thongdee", "Suwannarat", "Wongsawat",
				"Chaiyaporn", "Kaewkham", "Sukjai", "Inthawong",
				// the Philippines
				"Reyes", "Cruz", "Bautista", "Ocampo", "Mendoza", "Torres", "Aquino", "Villanueva", "Ramos",
				"Castillo", "Dela Cruz", "Flores", "Gonzales", "Rivera", "Navarro", "Domingo", "Salazar",
				"Mercado", "Soriano", "Manalo", "Pascual", "Lopez", "Fernandez", "Tolentino", "Dizon",
				"Marquez", "Santiago", "Valdez", "Delos Reyes", "Panganiban",
			},
			places: []string{
				"Canton", "Shenzhen", "Tianjin", "Chongqing", "Chengdu", "Wuhan", "Nankin", "Hangzhou",
				"Xiamen", "Changle", "Fuqing", "Lishui", "Ningbo", "Harbin", "Shenyang", "Dalian", "Qingdao",
				"Jinan", "Zhengzhou", "Changsha", "Kunming", "Hong Kong", "Nanchang", "Hefei", "Yiwu",
				"Jinhua", "Rui'an", "Chiang Mai", "Udon Thani", "Khon Kaen", "Nakhon Ratchasima", "Pattaya",
				"Phuket", "Hat Yai", "Ubon Ratchathani", "Cebu", "Davao", "Quezon City", "Iloilo", "Bacolod",
				"Zamboanga", "Cagayan de Oro", "Baguio", "Angeles",
			},
		},
		grpTurkish: {
			male: []string{
				"Ali", "Ismail", "Osman", "Halil", "Süleyman", "Ramazan", "Recep", "Fatih", "Burak", "Serkan",
				"Hakan", "Volkan", "Cem", "Can", "Onur", "Tolga", "Umut", "Yasin", "Eren", "Oguz", "Baris",
				"Cengiz", "Gökhan", "Orhan", "Levent", "Selim", "Sinan", "Tayfun", "Turgut", "Erdal", "Erol",
				"Ercan", "Kadir", "Metin", "Necati", "Nihat", "Okan", "Özgür", "Sedat", "Tuncay", "Yavuz",
				"Zeki", "Bülent", "Engin", "Kaan",
			},
			female: []string{
				"Hatice", "Hülya", "Esra", "Merve", "Büsra", "Gül", "Hacer", "Songül", "Sevgi", "Yasemin",
				"Dilek", "Ebru", "Gizem", "Tugba", "Seda", "Sibel", "Sevim", "Filiz", "Melek", "Nesrin",
				"Pinar", "Serpil", "Tülay", "Zeliha", "Arzu", "Burcu", "Canan", "Dilara", "Ece", "Gamze",
				"Hande", "Irem", "Kübra", "Nazli", "Nermin", "Meltem", "Cansu", "Özge", "Zehra",
			},
			surnames: []string{
				"Sahin", "Yildiz", "Yildirim", "Özdemir", "Koç", "Kurt", "Özkan", "Simsek", "Polat",
				"Korkmaz", "Karaca", "Erdogan", "Çetin", "Bulut", "Güler", "Keskin", "Ünal", "Tekin", "Aksoy",
				"Avci", "Ates", "Aktas", "Çakir", "Sen", "Turan", "Tas", "Kaplan", "Bozkurt", "Günes", "Acar",
				"Ekinci", "Duman", "Köse", "Güven", "Gündogdu", "Aksu", "Bayram", "Ergün", "Güngör", "Tunç",
				"Çiftçi", "Yüksel", "Kahraman", "Uysal", "Altun", "Erdem", "Akin", "Çiçek", "Kocabas",
				"Kalkan", "Yalçin", "Özer", "Uzun", "Akbulut", "Altintas", "Sari", "Toprak", "Bilgin",
				"Dursun", "Ceylan", "Taskin", "Yaman", "Aktürk", "Bozdag", "Karakaya", "Kocak", "Sönmez",
				"Coskun", "Aydemir", "Balci", "Baysal", "Çinar", "Dag", "Dinç", "Durmaz", "Eksi", "Gürbüz",
				"Gürsoy", "Isik", "Kartal", "Keles", "Oruç", "Soylu", "Tatli", "Temiz", "Tosun", "Ulusoy",
				"Zengin", "Karatas", "Ertürk", "Yazici", "Sezer", "Kirmizi", "Özbek", "Çolak",
			},
			places: []string{
				"Bursa", "Antalya", "Konya", "Adana", "Mersin", "Diyarbakir", "Sanliurfa", "Eskisehir",
				"Samsun", "Denizli", "Malatya", "Trabzon", "Erzurum", "Van", "Sivas", "Elazig",
				"Kahramanmaras", "Manisa", "Balikesir", "Kocaeli", "Sakarya", "Hatay", "Afyonkarahisar",
				"Aksaray", "Yozgat", "Tokat", "Çorum", "Ordu", "Giresun", "Rize", "Kütahya", "Usak", "Mardin",
				"Batman", "Adiyaman", "Kirsehir", "Nigde", "Nevsehir", "Zonguldak", "Karaman", "Bolu",
				"Isparta", "Burdur", "Edirne", "Tekirdag", "Çanakkale", "Amasya", "Sinop",
			},
		},
		grpOther: {
			male: []string{
				// Poland, Italy, Germany
				"Piotr", "Krzysztof", "Tomasz", "Pawel", "Marcin", "Lukasz", "Marco", "Giuseppe", "Luca",
				"Giovanni", "Francesco", "Alessandro", "Matteo", "Stefano", "Antonio", "Roberto", "Paolo",
				"Hans", "Jürgen", "Wolfgang", "Florian", "Tobias",
				// Congo, West Africa
				"Blaise", "Didier", "Fiston", "Christian", "Serge", "Fabrice", "Mamadou", "Ousmane", "Moussa",
				"Abdoulaye", "Boubacar", "Lamine",
				// Iberia and Latin America, India, Hungary, the English-speaking world
				"Pedro", "Luis", "Miguel", "Diego", "Manuel", "João", "Rahul", "Amit", "Rajesh", "István",
				"Gábor", "László", "David", "Michael",
			},
			female: []string{
				"Katarzyna", "Agnieszka", "Malgorzata", "Joanna", "Ewa", "Monika", "Giulia", "Francesca",
				"Chiara", "Alessandra", "Federica", "Elisa", "Silvia", "Petra", "Claudia", "Ursula",
				"Sabrina", "Stefanie", "Katharina", "Birgit", "Heike", "Espérance", "Divine", "Mireille",
				"Béatrice", "Chantal", "Solange", "Aminata", "Fatoumata", "Kadiatou", "Awa", "Fernanda",
				"Lucia", "Isabel", "Carmen", "Juliana", "Sunita", "Anjali", "Pooja", "Neha", "Deepa",
				"Kavita", "Erzsébet", "Katalin", "Eszter", "Emily", "Sarah", "Jessica",
			},
			surnames: []string{
				// Poland
				"Nowak", "Kowalski", "Wisniewski", "Wójcik", "Kowalczyk", "Kaminski", "Lewandowski",
				"Zielinski", "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur",
				"Kwiatkowski", "Krawczyk",
				// Italy
				"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
				"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
				"Moretti",
				// Germany
				"Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
				"Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun",
				// Congo
				"Mbuyi", "Tshibangu", "Ilunga", "Mukendi", "Kasongo", "Lukusa", "Mutombo", "Ngoy", "Kalala",
				"Nkulu", "Lumbala", "Kanku", "Mulumba", "Tshimanga", "Kabeya", "Mwamba", "Banza", "Kayembe",
				"Nzuzi",
				// West Africa
				"Diop", "Ndiaye", "Sow", "Bah", "Barry", "Camara", "Keita", "Touré", "Cissé", "Sylla", "Koné",
				"Coulibaly", "Conteh", "Sesay", "Fofana", "Sangaré", "Kourouma", "Bamba",
				// Iberia and Latin America
				"Pereira", "Oliveira", "Souza", "Lima", "Gomes", "Martínez", "López", "González", "Hernández",
				"Pérez", "Sánchez", "Ramírez", "Torres", "Díaz",
				// India
				"Sharma", "Patel", "Gupta", "Verma", "Reddy", "Rao", "Das", "Iyer", "Nair", "Mehta", "Joshi",
				"Bose",
				// the English-speaking world, Hungary
				"Jones", "Williams", "Taylor", "Wilson", "Evans", "Johnson", "Walker", "Nagy", "Kovács",
				"Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár",
			},
			places: []string{
				"Varsovie", "Cracovie", "Lodz", "Wroclaw", "Poznan", "Gdansk", "Rome", "Milan", "Naples",
				"Turin", "Palerme", "Gênes", "Florence", "Munich", "Hambourg", "Cologne", "Francfort",
				"Stuttgart", "Düsseldorf", "Aix-la-Chapelle", "Kinshasa", "Lubumbashi", "Mbuji-Mayi",
				"Kisangani", "Goma", "Bukavu", "Kananga", "Matadi", "Bamako", "Abidjan", "Bissau",
				"Nouakchott", "Rio de Janeiro", "Salvador", "Lisbonne", "Porto", "Barcelone", "Séville",
				"Valence", "Mumbai", "Calcutta", "Bangalore", "Chennai", "Hyderabad", "Budapest", "Debrecen",
				"Manchester", "Birmingham", "Sanaa", "Bogota",
			},
		},
	}
}
