package demo

import (
	"fmt"
	"strings"
)

// topics are the subjects of demo agreements by action area, in the six languages.
var topics = map[string][]map[string]string{
	"capacity_building": {
		{"en": "training for ICT professionals", "fr": "formation des professionnels des TIC", "es": "formación de profesionales de las TIC", "ar": "تدريب المهنيين في مجال تكنولوجيا المعلومات والاتصالات", "ru": "подготовка специалистов в области ИКТ", "zh": "信通技术专业人员培训"},
		{"en": "capacity building in spectrum management", "fr": "renforcement des capacités en gestion du spectre", "es": "creación de capacidades en gestión del espectro", "ar": "بناء القدرات في إدارة الطيف", "ru": "создание потенциала в области управления использованием спектра", "zh": "频谱管理能力建设"},
	},
	"ict_applications": {
		{"en": "e-health services", "fr": "services de cybersanté", "es": "servicios de cibersalud", "ar": "خدمات الصحة الإلكترونية", "ru": "услуги электронного здравоохранения", "zh": "电子卫生服务"},
		{"en": "digital agriculture", "fr": "agriculture numérique", "es": "agricultura digital", "ar": "الزراعة الرقمية", "ru": "цифровое сельское хозяйство", "zh": "数字农业"},
	},
	"generic": {
		{"en": "cooperation in telecommunication development", "fr": "coopération pour le développement des télécommunications", "es": "cooperación para el desarrollo de las telecomunicaciones", "ar": "التعاون في تنمية الاتصالات", "ru": "сотрудничество в области развития электросвязи", "zh": "电信发展合作"},
	},
	"infrastructure": {
		{"en": "broadband networks in rural areas", "fr": "réseaux large bande dans les zones rurales", "es": "redes de banda ancha en zonas rurales", "ar": "شبكات النطاق العريض في المناطق الريفية", "ru": "широкополосные сети в сельских районах", "zh": "农村地区宽带网络"},
		{"en": "transition to digital broadcasting", "fr": "passage à la radiodiffusion numérique", "es": "transición a la radiodifusión digital", "ar": "الانتقال إلى الإذاعة الرقمية", "ru": "переход к цифровому радиовещанию", "zh": "向数字广播过渡"},
	},
	"cybersecurity": {
		{"en": "national computer incident response teams", "fr": "équipes nationales d'intervention en cas d'incident informatique", "es": "equipos nacionales de respuesta a incidentes informáticos", "ar": "الأفرقة الوطنية للاستجابة للحوادث الحاسوبية", "ru": "национальные группы реагирования на компьютерные инциденты", "zh": "国家计算机事件响应小组"},
		{"en": "child online protection", "fr": "protection en ligne des enfants", "es": "protección de la infancia en línea", "ar": "حماية الأطفال على الإنترنت", "ru": "защита ребенка в онлайновой среде", "zh": "儿童在线保护"},
	},
	"enabling_environment": {
		{"en": "ICT policy and regulation", "fr": "politiques et réglementation des TIC", "es": "política y reglamentación de las TIC", "ar": "سياسات ولوائح تكنولوجيا المعلومات والاتصالات", "ru": "политика и регулирование в области ИКТ", "zh": "信通技术政策与监管"},
	},
	"emergency_telecom": {
		{"en": "emergency telecommunications and disaster preparedness", "fr": "télécommunications d'urgence et préparation aux catastrophes", "es": "telecomunicaciones de emergencia y preparación ante desastres", "ar": "الاتصالات في حالات الطوارئ والتأهب للكوارث", "ru": "электросвязь в чрезвычайных ситуациях и готовность к бедствиям", "zh": "应急通信与备灾"},
	},
	"digital_inclusion": {
		{"en": "digital skills for women and girls", "fr": "compétences numériques pour les femmes et les filles", "es": "competencias digitales para mujeres y niñas", "ar": "المهارات الرقمية للنساء والفتيات", "ru": "цифровые навыки для женщин и девушек", "zh": "妇女和女童数字技能"},
		{"en": "accessible ICTs for persons with disabilities", "fr": "TIC accessibles aux personnes handicapées", "es": "TIC accesibles para personas con discapacidad", "ar": "تكنولوجيا معلومات واتصالات ميسّرة للأشخاص ذوي الإعاقة", "ru": "доступные ИКТ для лиц с ограниченными возможностями", "zh": "残疾人无障碍信通技术"},
	},
	"innovation": {
		{"en": "ICT innovation ecosystems", "fr": "écosystèmes d'innovation dans le domaine des TIC", "es": "ecosistemas de innovación en TIC", "ar": "منظومات الابتكار في مجال تكنولوجيا المعلومات والاتصالات", "ru": "экосистемы инноваций в сфере ИКТ", "zh": "信通技术创新生态系统"},
	},
	"climate_ewaste": {
		{"en": "e-waste management", "fr": "gestion des déchets électroniques", "es": "gestión de residuos electrónicos", "ar": "إدارة المخلفات الإلكترونية", "ru": "утилизация электронных отходов", "zh": "电子废物管理"},
	},
	"statistics": {
		{"en": "ICT statistics and indicators", "fr": "statistiques et indicateurs des TIC", "es": "estadísticas e indicadores de las TIC", "ar": "إحصاءات ومؤشرات تكنولوجيا المعلومات والاتصالات", "ru": "статистика и показатели ИКТ", "zh": "信通技术统计与指标"},
	},
}

// placeFormat puts the place an agreement serves after its topic, in each language's punctuation.
var placeFormat = map[string]string{
	"en": "%s (%s)", "fr": "%s (%s)", "es": "%s (%s)", "ru": "%s (%s)", "ar": "%s (%s)", "zh": "%s（%s）",
}

// amendmentFormat names an amendment by its number and the reference of the agreement it amends.
var amendmentFormat = map[string]string{
	"en": "Amendment %d to %s",
	"fr": "Avenant n° %d à %s",
	"es": "Enmienda n.º %d a %s",
	"ar": "التعديل رقم %d على %s",
	"ru": "Поправка № %d к %s",
	"zh": "%[2]s第%[1]d号修正",
}

// coeTitle names the 2015 agreements of the Academy's centres of excellence.
var coeTitle = map[string]string{
	"en": "Academy centre of excellence: joint capacity-building programme 2015 (%s)",
	"fr": "Centre d'excellence de l'Académie : programme conjoint de renforcement des capacités 2015 (%s)",
	"es": "Centro de excelencia de la Academia: programa conjunto de creación de capacidades 2015 (%s)",
	"ar": "مركز التميز التابع للأكاديمية: البرنامج المشترك لبناء القدرات لعام 2015 (%s)",
	"ru": "Центр профессионального мастерства Академии: совместная программа по созданию потенциала на 2015 год (%s)",
	"zh": "学院卓越中心：2015年联合能力建设方案（%s）",
}

// coeInitiative is the initiative the centres-of-excellence agreements serve.
const coeInitiative = "Academy centres of excellence: joint capacity-building programme 2015"

// capitalise upper-cases the first letter of s; scripts without case are left as they are.
func capitalise(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func topicTitle(lang, topic, place string) string {
	return fmt.Sprintf(placeFormat[lang], capitalise(topic), place)
}
