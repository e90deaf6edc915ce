package synth

import (
	"github.com/ciatteh/canvas/schema"
	"math/rand/v2"
	"strings"
)

// nameGroup is a naming tradition: given names, surnames and birth places typical of the
// citizenships that use it. Every string must be encodable in Windows-1252.
type nameGroup struct {
	male, female, surnames, places []string
}

const (
	grpArabic = iota
	grpAlbanian
	grpEritrean
	grpAfghan
	grpVietnamese
	grpRomanian
	grpBulgarian
	grpBelgian
	grpNigerian
	grpChinese
	grpTurkish
	grpOther
	nGroups
)

func nameGroups() [nGroups]nameGroup {
	return [nGroups]nameGroup{
		grpArabic: {
			male:     []string{"Mohammed", "Ahmed", "Ali", "Hassan", "Omar", "Youssef", "Khaled", "Karim", "Mustafa", "Ibrahim", "Abdullah", "Rachid", "Saïd", "Hussein", "Mahmoud", "Tarek", "Bilal", "Nabil"},
			female:   []string{"Fatima", "Aisha", "Mariam", "Nour", "Layla", "Khadija", "Samira", "Zainab", "Amina", "Houda"},
			surnames: []string{"Al-Hassan", "Haddad", "Khalil", "Saleh", "Mansour", "Benali", "El Amrani", "Bouzid", "El Idrissi", "Tahiri", "Abdallah", "Hamdan", "Jaber", "Nasser", "Karimi", "Aziz", "Ben Salah", "El Mansouri", "Rahmani", "Barakat"},
			places:   []string{"Bagdad", "Erbil", "Mossoul", "Damas", "Alep", "Homs", "Casablanca", "Tanger", "Nador", "Le Caire", "Alger", "Oran", "Khartoum", "Tripoli", "Erbil, Kurdistan"},
		},
		grpAlbanian: {
			male:     []string{"Arben", "Besnik", "Driton", "Ilir", "Gëzim", "Ermal", "Fatmir", "Kujtim", "Arjan", "Valon", "Agron", "Blerim"},
			female:   []string{"Elira", "Blerta", "Jonida", "Arta", "Vjosa", "Drita"},
			surnames: []string{"Hoxha", "Krasniqi", "Berisha", "Gashi", "Shehu", "Kelmendi", "Morina", "Leka", "Çela", "Dervishi", "Bytyqi", "Hysa"},
			places:   []string{"Tirana", "Durrës", "Shkodër", "Vlorë", "Elbasan", "Prishtina", "Prizren"},
		},
		grpEritrean: {
			male:     []string{"Yonas", "Yohannes", "Samuel", "Dawit", "Filmon", "Tesfay", "Mehari", "Biniam", "Robel", "Henok"},
			female:   []string{"Senait", "Helen", "Rahel", "Saba", "Selam", "Luwam", "Winta"},
			surnames: []string{"Tesfaye", "Haile", "Kidane", "Mehari", "Tekle", "Ghebremariam", "Berhane", "Woldemichael", "Habte", "Negash", "Ghebreyesus", "Asfaha"},
			places:   []string{"Asmara", "Keren", "Massawa", "Mendefera", "Addis Abeba", "Mogadiscio"},
		},
		grpAfghan: {
			male:     []string{"Ahmad", "Mohammad", "Ali", "Reza", "Farid", "Jawad", "Hamid", "Nasir", "Zabihullah", "Mustafa", "Sayed"},
			female:   []string{"Zahra", "Fatima", "Maryam", "Soraya", "Parisa", "Shabnam"},
			surnames: []string{"Ahmadi", "Rahimi", "Karimi", "Hakimi", "Noori", "Hosseini", "Mohammadi", "Sultani", "Amiri", "Rezaei", "Jafari", "Popal"},
			places:   []string{"Kaboul", "Herat", "Kandahar", "Mazar-e-Charif", "Jalalabad", "Téhéran", "Mashhad", "Karachi", "Lahore"},
		},
		grpVietnamese: {
			male:     []string{"Van Minh", "Duc Anh", "Van Hung", "Quang", "Tuan", "Van Long", "Thanh", "Huu Phuc"},
			female:   []string{"Thi Lan", "Thi Hoa", "Thi Mai", "Ngoc Anh", "Thi Huong", "Thu Trang"},
			surnames: []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do", "Ngo"},
			places:   []string{"Hanoi", "Nghe An", "Ha Tinh", "Hai Phong", "Quang Binh", "Ho Chi Minh-Ville"},
		},
		grpRomanian: {
			male:     []string{"Ion", "Gheorghe", "Andrei", "Mihai", "Florin", "Constantin", "Marius", "Adrian", "Ionut", "Cristian"},
			female:   []string{"Elena", "Maria", "Ioana", "Andreea", "Mihaela", "Florentina", "Alina", "Denisa"},
			surnames: []string{"Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Munteanu", "Rusu", "Lungu", "Ciobanu", "Moldovan", "Stoica", "Dinu"},
			places:   []string{"Bucarest", "Constanta", "Craiova", "Iasi", "Bacau", "Timisoara", "Chisinau", "Kiev", "Odessa"},
		},
		grpBulgarian: {
			male:     []string{"Ivan", "Georgi", "Dimitar", "Nikolay", "Stoyan", "Petar", "Hristo", "Yordan"},
			female:   []string{"Maria", "Ivanka", "Desislava", "Petya", "Galina", "Radka", "Elena"},
			surnames: []string{"Ivanov", "Petrov", "Georgiev", "Dimitrov", "Nikolov", "Stoyanov", "Kostov", "Angelov", "Hristov", "Todorov"},
			places:   []string{"Sofia", "Sliven", "Varna", "Plovdiv", "Pazardzhik", "Burgas", "Pleven"},
		},
		grpBelgian: {
			male:     []string{"Jan", "Pieter", "Luc", "Marc", "Kevin", "Thomas", "François", "Jérôme", "Dirk", "Patrick", "Olivier", "Stéphane", "Wim", "Koen", "Benoît"},
			female:   []string{"Sofie", "Marie", "Céline", "Anaïs", "Hélène", "Els", "Nathalie", "Ann", "Isabelle", "Chloé", "Inge"},
			surnames: []string{"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Dubois", "Lambert", "Dupont", "Martin", "Claes", "Goossens", "De Smet", "Van den Broeck", "Lefèvre", "Hermans", "Wouters", "Vermeulen", "Desmet", "Lejeune", "Renard", "Noël"},
			places:   []string{"Antwerpen", "Gent", "Bruxelles", "Liège", "Charleroi", "Brugge", "Namur", "Mons", "Leuven", "Hasselt", "Oostende", "Kortrijk", "Rotterdam", "Lille", "Paris"},
		},
		grpNigerian: {
			male:     []string{"Chinedu", "Emeka", "Osas", "Efosa", "Samuel", "Godwin", "Sunday", "Kingsley", "Ikechukwu"},
			female:   []string{"Blessing", "Joy", "Precious", "Favour", "Osasere", "Gift", "Mercy", "Esther", "Peace"},
			surnames: []string{"Okafor", "Adeyemi", "Okonkwo", "Eze", "Ogunleye", "Osagie", "Igbinedion", "Omoregie", "Edosomwan", "Obasogie", "Uwadia", "Nwosu"},
			places:   []string{"Benin City", "Lagos", "Abuja", "Edo", "Port Harcourt", "Accra", "Kano", "Benin City\r\nEdo State"},
		},
		grpChinese: {
			male:     []string{"Wei", "Jun", "Hao", "Lei", "Jian", "Ming"},
			female:   []string{"Fang", "Li Na", "Xiu Ying", "Mei", "Jing", "Yan"},
			surnames: []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhou", "Wu", "Lin"},
			places:   []string{"Wenzhou", "Fuzhou", "Qingtian", "Pékin", "Shanghai", "Bangkok", "Manille"},
		},
		grpTurkish: {
			male:     []string{"Mehmet", "Ahmet", "Mustafa", "Emre", "Hüseyin", "Murat", "Ömer", "Kemal"},
			female:   []string{"Ayse", "Fatma", "Emine", "Zeynep", "Elif", "Özlem"},
			surnames: []string{"Yilmaz", "Kaya", "Demir", "Çelik", "Öztürk", "Aydin", "Arslan", "Dogan", "Kiliç", "Aslan"},
			places:   []string{"Istanbul", "Ankara", "Izmir", "Gaziantep", "Emirdag", "Kayseri"},
		},
		grpOther: {
			male:     []string{"José", "Carlos", "Ravi", "Arjun", "Muhammad", "Dmytro", "Oleksandr", "Rafael", "Jean", "Pierre"},
			female:   []string{"Ana", "Priya", "Olena", "Natalia", "Camila", "Grace", "Svetlana", "Maria"},
			surnames: []string{"Silva", "Santos", "Kumar", "Singh", "Kovalenko", "Shevchenko", "Garcia", "Rodriguez", "Mensah", "Diallo", "Traoré", "Bangura", "Jansen", "De Vries", "Smith", "Müller"},
			places:   []string{"São Paulo", "Delhi", "Kharkiv", "Conakry", "Dakar", "Freetown", "Amsterdam", "Londres", "Berlin", "Madrid", "Manille"},
		},
	}
}

// groupOf is the naming tradition of a citizenship.
func groupOf(cit string) int {
	switch cit {
	case "IQ", "SY", "MA", "EG", "DZ", "SD", "LY", "TN", "PS", "LB", "JO":
		return grpArabic
	case "AL", "XK", "MK":
		return grpAlbanian
	case "ER", "ET", "SO":
		return grpEritrean
	case "AF", "IR", "PK":
		return grpAfghan
	case "VN":
		return grpVietnamese
	case "RO", "MD", "UA":
		return grpRomanian
	case "BG":
		return grpBulgarian
	case "BE", "NL", "FR":
		return grpBelgian
	case "NG", "GH":
		return grpNigerian
	case "CN", "TH", "PH":
		return grpChinese
	case "TR":
		return grpTurkish
	}
	return grpOther
}

// variants lists the spelling and transliteration variants of names: any member of a set can be
// written as any other.
func nameVariants() map[string][]string {
	sets := [][]string{
		{"Mohammed", "Mohamed", "Muhammad", "Mohammad", "Mohamad"},
		{"Ahmed", "Ahmad", "Ahmet"},
		{"Youssef", "Yusuf", "Youssouf", "Yousef"},
		{"Hassan", "Hasan"}, {"Omar", "Umar"}, {"Mustafa", "Moustafa", "Mostafa"},
		{"Ibrahim", "Ebrahim", "Brahim"}, {"Khaled", "Khalid"}, {"Abdullah", "Abdallah", "Abdellah"},
		{"Hussein", "Hussain", "Houssein"}, {"Mahmoud", "Mahmud"}, {"Tarek", "Tariq", "Tarik"},
		{"Rachid", "Rashid"}, {"Saïd", "Said", "Saeed"}, {"Aisha", "Aicha", "Ayesha"},
		{"Fatima", "Fatma", "Fatimah"}, {"Mariam", "Maryam", "Meryem"}, {"Khadija", "Khadidja"},
		{"Zainab", "Zeinab"}, {"Yonas", "Yonatan"}, {"Yohannes", "Johannes", "Yohanes"},
		{"Tesfaye", "Tesfay", "Tesfai"}, {"Ghebremariam", "Gebremariam", "Ghebremaryam"},
		{"Woldemichael", "Weldemichael", "Wolde Michael"}, {"Ghebreyesus", "Gebreyesus"},
		{"Hosseini", "Husseini", "Hoseini"}, {"Mohammadi", "Mohamadi"}, {"Rezaei", "Rezai"},
		{"Zabihullah", "Zabiullah"}, {"Nguyen", "Nguyễn"}, {"Ionut", "Ionuţ"},
		{"Dimitrov", "Dimitrow"}, {"Georgiev", "Gueorguiev"}, {"Nikolay", "Nikolai"},
		{"Hristo", "Christo"}, {"Yordan", "Jordan"}, {"Al-Hassan", "Al Hassan", "Alhassan", "El Hassan"},
		{"El Amrani", "Elamrani", "Amrani"}, {"El Idrissi", "Idrissi", "Elidrissi"},
		{"Ben Salah", "Bensalah"}, {"El Mansouri", "Mansouri"}, {"Hoxha", "Hodja", "Hoxhaj"},
		{"Krasniqi", "Krasniki"}, {"Çela", "Cela", "Qela"}, {"Gëzim", "Gezim"},
		{"Durrës", "Durres", "Durazzo"}, {"Shkodër", "Shkoder", "Scutari"},
		{"Osagie", "Osaghie"}, {"Okonkwo", "Okwonkwo"}, {"Kiliç", "Kilic", "Kılıç"},
		{"Yilmaz", "Yılmaz"}, {"Öztürk", "Ozturk", "Oeztuerk"}, {"Çelik", "Celik"},
		{"Van den Broeck", "Vandenbroeck", "Van Den Broeck"}, {"De Smet", "Desmet", "Desmedt"},
		{"Lefèvre", "Lefebvre", "Lefevre"}, {"Kaboul", "Kabul"}, {"Bagdad", "Baghdad"},
		{"Mossoul", "Mosul"}, {"Damas", "Damascus", "Dimashq"}, {"Alep", "Aleppo", "Halab"},
	}
	m := map[string][]string{}
	for _, s := range sets {
		for _, a := range s {
			for _, b := range s {
				if a != b && cp1252OK(b) {
					m[a] = append(m[a], b)
				}
			}
		}
	}
	return m
}

// cp1252OK reports whether every rune of s has a Windows-1252 encoding (ASCII, Latin-1 letters
// and the few extra letters of the code page).
func cp1252OK(s string) bool {
	for _, r := range s {
		if r < 0x80 || (r >= 0xA0 && r <= 0xFF) {
			continue
		}
		switch r {
		case 'Š', 'š', 'Ž', 'ž', 'Œ', 'œ', 'Ÿ':
			continue
		}
		return false
	}
	return true
}

// legacyName is how the legacy criminal record wrote names: capitals, no accents.
func legacyName(s string) string { return strings.ToUpper(schema.StripAccents(s)) }

// typo introduces one keyboard slip: two adjacent letters swapped, a letter dropped or doubled.
func typo(r *rand.Rand, s string) string {
	b := []rune(s)
	if len(b) < 4 {
		return s + string(b[len(b)-1])
	}
	i := 1 + r.IntN(len(b)-2)
	switch r.IntN(3) {
	case 0:
		if b[i] == b[i+1] {
			return string(b[:i]) + string(b[i+1:])
		}
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	case 1:
		return string(b[:i]) + string(b[i+1:])
	}
	return string(b[:i+1]) + string(b[i:])
}
