package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"pactum/internal/apperr"
	"pactum/internal/civil"
	"pactum/internal/reference"
)

type referenceListLink struct {
	List, Label, URL string
	Count            int
}

type referenceIndexView struct {
	page
	Lists []referenceListLink
}

func (s *Server) showReferenceLists(w http.ResponseWriter, r *http.Request) {
	v := referenceIndexView{page: s.newPage(r, "admin.reference.title")}
	for _, list := range reference.EditableLists {
		items, err := s.db.ReferenceItems(r.Context(), list)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Lists = append(v.Lists, referenceListLink{List: list, Label: v.L.T("list." + list), URL: "/admin/reference/" + list, Count: len(items)})
	}
	s.render(w, r, http.StatusOK, "admin_reference", v)
}

type referenceRow struct {
	Code, Detail, Label string
	Labels              reference.Labels
}

type referenceListView struct {
	page
	List        string
	DetailLabel string // what the detail column holds, "" when the list has none
	Editable    bool   // whether the detail can be edited
	Rows        []referenceRow
	Languages   []languageLink
}

// detailLabels names each list's detail column.
var detailLabels = map[string]string{
	reference.ListActionArea:  "admin.reference.dac_sectors",
	reference.ListPartnerType: "admin.reference.iati_type",
	reference.ListCurrency:    "admin.reference.minor_units",
	reference.ListCountry:     "admin.reference.region",
}

func (s *Server) showReferenceList(w http.ResponseWriter, r *http.Request) {
	list := r.PathValue("list")
	if !slices.Contains(reference.EditableLists, list) {
		s.notFound(w, r)
		return
	}
	items, err := s.db.ReferenceItems(r.Context(), list)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := referenceListView{page: s.newPage(r, "list."+list), List: list}
	if key, ok := detailLabels[list]; ok {
		v.DetailLabel = v.L.T(key)
	}
	for _, it := range items {
		v.Rows = append(v.Rows, referenceRow{Code: it.Code, Detail: it.Detail, Label: it.Labels.In(v.L.Lang, it.Code), Labels: it.Labels})
	}
	s.render(w, r, http.StatusOK, "admin_reference_list", v)
}

// referenceItemForm is what the form of one list entry sends.
type referenceItemForm struct {
	Code   string
	Labels reference.Labels
	Detail string
}

type referenceItemView struct {
	page
	List         string
	ListLabel    string
	Form         referenceItemForm
	Errors       formErrors
	DetailLabel  string
	DetailEdited bool
	LabelFields  []labelField
	Rates        []rateRow
	RateForm     rateForm
	RateErrors   formErrors
	Notice       string
}

type labelField struct {
	Lang, Name, Label, Value, Error string
}

type rateRow struct {
	ValidFrom, USDPerUnit string
}

type rateForm struct {
	ValidFrom, USDPerUnit string
}

func (s *Server) referenceItemView(r *http.Request, list string, form referenceItemForm, errs formErrors) (referenceItemView, error) {
	v := referenceItemView{page: s.newPage(r, "list."+list), List: list, Form: form, Errors: errs}
	v.ListLabel = v.Title
	v.Title = form.Code + " · " + form.Labels.In(v.L.Lang, form.Code)
	if key, ok := detailLabels[list]; ok {
		v.DetailLabel = v.L.T(key)
	}
	v.DetailEdited = list == reference.ListActionArea || list == reference.ListPartnerType
	for _, lang := range reference.Languages {
		v.LabelFields = append(v.LabelFields, labelField{Lang: lang, Name: "label_" + lang, Label: languageNames[lang],
			Value: form.Labels[lang], Error: errs.Fields["label_"+lang]})
	}
	if list == reference.ListCurrency && form.Code != "USD" {
		rates, err := s.db.CurrencyRates(r.Context(), form.Code)
		if err != nil {
			return v, err
		}
		for _, rate := range rates {
			v.Rates = append(v.Rates, rateRow{ValidFrom: v.L.Date(rate.ValidFrom), USDPerUnit: v.L.Decimal(rate.USDPerUnit, 8)})
		}
	}
	return v, nil
}

func (s *Server) findReferenceItem(r *http.Request) (string, *reference.Item, error) {
	list := r.PathValue("list")
	if !slices.Contains(reference.EditableLists, list) {
		return list, nil, nil
	}
	items, err := s.db.ReferenceItems(r.Context(), list)
	if err != nil {
		return list, nil, err
	}
	for i := range items {
		if items[i].Code == r.PathValue("code") {
			return list, &items[i], nil
		}
	}
	return list, nil, nil
}

func (s *Server) showReferenceItem(w http.ResponseWriter, r *http.Request) {
	list, item, err := s.findReferenceItem(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if item == nil {
		s.notFound(w, r)
		return
	}
	v, err := s.referenceItemView(r, list, referenceItemForm{Code: item.Code, Labels: item.Labels, Detail: item.Detail}, formErrors{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	switch r.URL.Query().Get("saved") {
	case "1":
		v.Notice = v.L.T("form.saved")
	case "rate":
		v.Notice = v.L.T("admin.rates.saved")
	}
	s.render(w, r, http.StatusOK, "admin_reference_item", v)
}

func (s *Server) saveReferenceItem(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	list, item, err := s.findReferenceItem(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if item == nil {
		s.notFound(w, r)
		return
	}
	form := referenceItemForm{Code: item.Code, Labels: reference.Labels{}, Detail: strings.TrimSpace(r.PostFormValue("detail"))}
	for _, lang := range reference.Languages {
		form.Labels[lang] = strings.TrimSpace(r.PostFormValue("label_" + lang))
	}
	if list != reference.ListActionArea && list != reference.ListPartnerType {
		form.Detail = item.Detail
	}
	if err := s.db.SaveReferenceItem(r.Context(), list, reference.Item{Code: item.Code, Labels: form.Labels, Detail: form.Detail}); err != nil {
		fe, ok := explain(localizer(r), err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		v, verr := s.referenceItemView(r, list, form, fe)
		if verr != nil {
			s.serverError(w, r, verr)
			return
		}
		s.render(w, r, statusOf(apperr.CodeOf(err)), "admin_reference_item", v)
		return
	}
	http.Redirect(w, r, "/admin/reference/"+list+"/"+item.Code+"?saved=1", http.StatusSeeOther)
}

// saveRate adds (or corrects) the rate of a currency from a date.
func (s *Server) saveRate(w http.ResponseWriter, r *http.Request) {
	r = actorContext(r)
	l := localizer(r)
	code := r.PathValue("code")
	if r.PathValue("list") != reference.ListCurrency {
		s.notFound(w, r)
		return
	}
	form := rateForm{ValidFrom: strings.TrimSpace(r.PostFormValue("valid_from")), USDPerUnit: strings.TrimSpace(r.PostFormValue("usd_per_unit"))}
	rate := reference.Rate{Currency: code}
	errs := formErrors{Fields: map[string]string{}}
	var err error
	if rate.ValidFrom, err = civil.Parse(form.ValidFrom); err != nil {
		errs.Fields["valid_from"] = l.T("error.date")
	}
	if rate.USDPerUnit, err = strconv.ParseFloat(strings.ReplaceAll(form.USDPerUnit, ",", "."), 64); err != nil || !(rate.USDPerUnit > 0) {
		errs.Fields["usd_per_unit"] = l.T("admin.rates.error.positive")
	}
	if len(errs.Fields) == 0 {
		err = s.db.SaveRate(r.Context(), rate)
		if err == nil {
			http.Redirect(w, r, "/admin/reference/currency/"+code+"?saved=rate", http.StatusSeeOther)
			return
		}
		fe, ok := explain(l, err)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		errs = fe
	}
	errs.Summary = l.T("error.invalid")
	list, item, ferr := s.findReferenceItem(r)
	if ferr != nil {
		s.serverError(w, r, ferr)
		return
	}
	if item == nil {
		s.notFound(w, r)
		return
	}
	v, verr := s.referenceItemView(r, list, referenceItemForm{Code: item.Code, Labels: item.Labels, Detail: item.Detail}, formErrors{})
	if verr != nil {
		s.serverError(w, r, verr)
		return
	}
	v.RateForm, v.RateErrors = form, errs
	s.render(w, r, http.StatusUnprocessableEntity, "admin_reference_item", v)
}
