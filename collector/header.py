"""Sheet names and column headers, in every language collector reads.

One table decides what a header means. Matching ignores case, accents,
spacing, punctuation and currency hints, so `Invoice #`, `INVOICE NO.`,
`Nº Factura` and `Total (RM)` all find their field.
"""
from __future__ import annotations

import re
import unicodedata

# Sheet kinds and the names a sheet of that kind may carry.
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "invoices": (
        "Invoices", "Invoice", "Invoice List", "Invoice Tracker", "Invoice Register", "Receivables",
        "Accounts Receivable", "AR", "A/R", "AR List", "Open Items", "Open Invoices", "Sales",
        "Sales Ledger", "Debtors", "Billing", "Bills",
        "Factures", "Facture", "Créances", "Clients débiteurs",
        "Facturas", "Factura", "Cartera", "Cuentas por cobrar",
        "Faturas", "Fatura", "Contas a receber",
        "Facturi", "Factură", "Creanțe",
        "Τιμολόγια", "Τιμολόγιο", "Απαιτήσεις",
        "Faktur", "Piutang", "Tagihan",
        "Mga Invoice", "Invoice ng Benta", "Mga Singilin",
    ),
    "customers": (
        "Customers", "Customer", "Clients", "Client", "Client List", "Customer List", "Accounts",
        "Contacts", "Debtor List", "Client Directory",
        "Clientes", "Cliente", "Clienți", "Clienti", "Πελάτες", "Πελάτης", "Pelanggan",
        "Mga Customer", "Mga Kliyente", "Kliyente",
    ),
    "contact_log": (
        "Contact Log", "Contacts Log", "Log", "Collection Log", "Collections Log", "Follow Up",
        "Follow-up", "Followup Log", "Call Log", "Notes Log", "Activity", "History of Contacts",
        "Journal des relances", "Relances", "Suivi", "Historique des contacts",
        "Registro de contactos", "Seguimiento", "Gestiones", "Registo de contactos",
        "Jurnal contacte", "Istoric contacte", "Ημερολόγιο επικοινωνίας", "Επικοινωνίες",
        "Log Kontak", "Catatan Penagihan", "Tala ng Kontak", "Talaan ng Kontak",
    ),
    "payment_plans": (
        "Payment Plans", "Payment Plan", "Instalments", "Installments", "Instalment Plan",
        "Échéancier", "Echeancier", "Plan de paiement", "Plan de pagos", "Plano de pagamento",
        "Plan de plată", "Plan de plati", "Σχέδιο πληρωμών", "Δόσεις", "Rencana Pembayaran",
        "Cicilan", "Plano ng Bayad", "Hulugan",
    ),
    "settings": (
        "Settings", "Setting", "Config", "Configuration", "Options", "Setup", "Parameters",
        "Paramètres", "Parametres", "Réglages", "Configuración", "Ajustes", "Configurações",
        "Setări", "Setari", "Ρυθμίσεις", "Pengaturan", "Setelan", "Mga Setting",
    ),
    "policy": (
        "Policy", "Escalation", "Escalation Policy", "Collection Policy", "Dunning", "Dunning Policy",
        "Politique", "Politique de relance", "Política", "Política de cobro", "Politica",
        "Politică", "Πολιτική", "Kebijakan", "Patakaran",
    ),
}

# Column headers for each field. The first entry is the name collector writes.
FIELDS: dict[str, tuple[str, ...]] = {
    "customer": (
        "Customer", "Customer Name", "Client", "Client Name", "Client / Company", "Bill To",
        "Billed To", "Debtor", "Debtor Name", "Account Name", "Buyer", "Party", "Payer", "Sold To",
        "Vendor", "Supplier", "Name",
        "Nom du client", "Client nom", "Débiteur", "Raison sociale",
        "Cliente", "Nombre del cliente", "Nombre cliente", "Deudor", "Asegurado", "Tomador", "Razón social",
        "Nome do cliente", "Devedor",
        "Nume client", "Denumire client", "Debitor", "Clientul",
        "Πελάτης", "Όνομα πελάτη", "Επωνυμία", "Οφειλέτης",
        "Pelanggan", "Nama Pelanggan", "Nama Klien", "Klien", "Debitur",
        "Kustomer", "Pangalan ng Customer", "Kliyente", "Pangalan ng Kliyente", "Mamimili",
    ),
    "customer_code": (
        "Customer Code", "Customer ID", "Customer No", "Customer Number", "Client ID", "Client Code",
        "Client No", "Account", "Account No", "Account Number", "Account Code", "Customer Ref",
        "Debtor Code", "Debtor ID", "Tax ID", "Tax Number", "VAT Number", "VAT No", "TIN",
        "Code client", "N° client", "Numéro client", "SIRET", "SIREN", "Numéro TVA",
        "Código cliente", "Código de cliente", "ID cliente", "Identificación", "NIT", "RUT", "RFC",
        "CIF", "NIF", "CNPJ", "CPF", "Cod client", "Cod fiscal", "CUI", "CIF client",
        "Κωδικός πελάτη", "ΑΦΜ", "Kode Pelanggan", "ID Pelanggan", "NPWP", "Code ng Customer",
    ),
    "company": ("Company", "Company Name", "Organisation", "Organization", "Business Name",
                "Société", "Entreprise", "Empresa", "Firmă", "Firma", "Εταιρεία", "Perusahaan",
                "Kumpanya"),
    "invoice_no": (
        "Invoice No", "Invoice #", "Invoice Number", "Invoice", "Inv No", "Inv #", "Inv",
        "Invoice ID", "Invoice Ref", "Invoice Reference", "Number", "No", "Ref", "Reference",
        "Document No", "Doc No", "Bill No", "Bill Number",
        "N° facture", "Numéro de facture", "No facture", "Facture", "Réf", "Référence",
        "Número de factura", "N° factura", "Factura", "Folio", "Recibo", "Comprobante",
        "Número da fatura", "Fatura", "Număr factură", "Nr factură", "Factură", "Serie și număr",
        "Αριθμός τιμολογίου", "Αρ. τιμολογίου", "Τιμολόγιο", "Α/Α",
        "Nomor Faktur", "No Faktur", "Faktur", "Nomor Invoice", "No Invoice",
        "Numero ng Invoice", "Blg ng Invoice", "Resibo",
    ),
    "invoice_date": (
        "Invoice Date", "Date", "Inv Date", "Issue Date", "Issued", "Date Issued", "Billing Date",
        "Bill Date", "Document Date", "Transaction Date", "Posting Date", "Sale Date",
        "Date de facture", "Date facture", "Date d'émission", "Date d’émission",
        "Fecha", "Fecha de factura", "Fecha factura", "Fecha emisión", "Fecha de emisión",
        "Data da fatura", "Data de emissão", "Data", "Data facturii", "Data factură", "Data emiterii",
        "Ημερομηνία", "Ημερομηνία τιμολογίου", "Ημερομηνία έκδοσης",
        "Tanggal", "Tanggal Faktur", "Tanggal Invoice", "Petsa", "Petsa ng Invoice",
    ),
    "due_date": (
        "Due Date", "Due", "Date Due", "Payment Due", "Due On", "Due By", "Maturity", "Maturity Date",
        "Échéance", "Date d'échéance", "Date d’échéance", "Date limite de paiement",
        "Fecha de vencimiento", "Vencimiento", "Fecha vencimiento", "Vence",
        "Data de vencimento", "Vencimento", "Scadență", "Data scadenței", "Scadenta",
        "Ημερομηνία λήξης", "Λήξη", "Προθεσμία πληρωμής",
        "Jatuh Tempo", "Tanggal Jatuh Tempo", "Takdang Petsa", "Due na Petsa",
    ),
    "terms": (
        "Terms", "Payment Terms", "Credit Terms", "Pay Terms", "Term",
        "Conditions de paiement", "Conditions", "Délai de paiement", "Modalités de paiement",
        "Condiciones de pago", "Plazo", "Plazo de pago", "Condições de pagamento", "Prazo",
        "Termen de plată", "Termen plata", "Condiții de plată", "Όροι πληρωμής", "Πίστωση",
        "Syarat Pembayaran", "Termin", "Termin Pembayaran", "Tuntunin sa Pagbabayad", "Termino",
    ),
    "amount": (
        "Amount", "Invoice Amount", "Total", "Invoice Total", "Total Amount", "Gross", "Gross Amount",
        "Amount Due", "Value", "Invoice Value", "Total Due", "Total incl VAT", "Total inc VAT",
        "Montant", "Montant TTC", "Total TTC", "Montant facture",
        "Importe", "Monto", "Valor", "Importe total", "Monto total", "Valor total", "Total factura",
        "Sumă", "Suma", "Total factură", "Valoare", "Valoare totală",
        "Ποσό", "Σύνολο", "Αξία", "Συνολικό ποσό",
        "Jumlah", "Nilai", "Total Tagihan", "Nominal", "Halaga", "Kabuuan", "Kabuuang Halaga",
    ),
    "paid": (
        "Paid", "Amount Paid", "Paid Amount", "Payment", "Payments", "Payments Received",
        "Received", "Amount Received", "Collected", "Paid to Date",
        "Payé", "Montant payé", "Réglé", "Encaissé", "Pagado", "Monto pagado", "Abonado", "Abonos",
        "Cobrado", "Pago", "Valor pago", "Plătit", "Suma plătită", "Încasat", "Incasat",
        "Πληρώθηκε", "Πληρωμή", "Εισπράχθηκε", "Dibayar", "Jumlah Dibayar", "Terbayar",
        "Bayad", "Nabayaran", "Halagang Nabayaran",
    ),
    "balance": (
        "Balance", "Balance Due", "Outstanding", "Amount Outstanding", "Open Balance", "Open Amount",
        "Remaining", "Amount Remaining", "Due Amount", "Unpaid", "Unpaid Amount", "Residual",
        "Solde", "Reste à payer", "Restant dû", "Montant dû", "Saldo", "Saldo pendiente",
        "Total pendiente", "Pendiente", "Por cobrar", "Saldo devedor", "Em aberto",
        "Sold", "Rest de plată", "Rest de plata", "Υπόλοιπο", "Ανεξόφλητο",
        "Sisa", "Sisa Tagihan", "Saldo Terutang", "Natitira", "Balanse", "Natitirang Balanse",
    ),
    "paid_date": (
        "Paid Date", "Date Paid", "Payment Date", "Paid On", "Date of Payment", "Received Date",
        "Date Received", "Settled On", "Date de paiement", "Date de règlement", "Payé le",
        "Fecha de pago", "Fecha pago", "Data de pagamento", "Data plății", "Data plata",
        "Ημερομηνία πληρωμής", "Ημερομηνία εξόφλησης", "Tanggal Bayar", "Tanggal Pembayaran",
        "Tanggal Lunas", "Petsa ng Bayad", "Petsa ng Pagbabayad",
    ),
    "status": (
        "Status", "Payment Status", "Invoice Status", "Statut", "État", "Etat", "Estado",
        "Estado de pago", "Situação", "Stare", "Status plată", "Κατάσταση", "Keadaan",
        "Katayuan",
    ),
    "currency": ("Currency", "Curr", "Ccy", "Devise", "Monnaie", "Moneda", "Divisa", "Moeda",
                 "Monedă", "Moneda", "Νόμισμα", "Mata Uang", "Salapi", "Pera"),
    "notes": (
        "Notes", "Note", "Comments", "Comment", "Remarks", "Memo", "Description",
        "Remarques", "Commentaires", "Observations", "Notas", "Observación", "Observacion",
        "Observaciones", "Comentarios", "Observações", "Note", "Observații", "Mențiuni",
        "Σημειώσεις", "Παρατηρήσεις", "Catatan", "Keterangan", "Tala", "Mga Tala", "Puna",
    ),
    "contact_name": (
        "Contact Name", "Contact", "Contact Person", "Attention", "Attn", "Person",
        "Nom du contact", "Interlocuteur", "Contacto", "Persona de contacto", "Contato",
        "Persoană de contact", "Persoana de contact", "Υπεύθυνος επικοινωνίας", "Επαφή",
        "Nama Kontak", "Kontak", "Pangalan ng Kontak", "Kontak na Tao",
    ),
    "email": ("Email", "E-mail", "Email Address", "Mail", "Courriel", "Adresse e-mail",
              "Correo", "Correo electrónico", "Correo electronico", "Ηλεκτρονικό ταχυδρομείο",
              "Surel", "Alamat Email"),
    "phone": ("Phone", "Telephone", "Tel", "Phone Number", "Mobile", "Cell", "Téléphone",
              "Teléfono", "Telefone", "Telefon", "Τηλέφωνο", "Telepon", "No HP", "Telepono",
              "Numero ng Telepono"),
    "address": ("Address", "Address 1", "Address Line 1", "Street", "Billing Address", "Adresse",
                "Dirección", "Direccion", "Endereço", "Adresă", "Adresa", "Διεύθυνση", "Alamat",
                "Tirahan"),
    "address2": ("Address 2", "Address Line 2", "Adresse 2", "Complément d'adresse",
                 "Dirección 2", "Adresă 2", "Διεύθυνση 2", "Alamat 2", "Tirahan 2"),
    "city": ("City", "Town", "Ville", "Ciudad", "Cidade", "Oraș", "Oras", "Localitate", "Πόλη",
             "Kota", "Lungsod"),
    "region": ("State", "County", "Region", "Province", "Région", "Provincia", "Județ",
               "Judet", "Νομός", "Provinsi", "Lalawigan"),
    "postcode": ("Postcode", "Post Code", "Postal Code", "ZIP", "ZIP Code", "Code postal",
                 "Código postal", "CEP", "Cod poștal", "Cod postal", "Ταχυδρομικός κώδικας", "ΤΚ",
                 "Kode Pos", "Zip Code"),
    "country": ("Country", "Pays", "País", "Țară", "Tara", "Χώρα", "Negara", "Bansa"),
    "language": ("Language", "Lang", "Locale", "Langue", "Idioma", "Língua", "Limbă", "Limba",
                 "Γλώσσα", "Bahasa", "Wika"),
    "credit_limit": ("Credit Limit", "Limit", "Plafond", "Plafond de crédit", "Límite de crédito",
                     "Limite de crédito", "Limită de credit", "Πιστωτικό όριο", "Batas Kredit",
                     "Limitasyon ng Kredito"),
    "sales_rep": ("Sales Rep", "Salesperson", "Sales Person", "Rep", "Account Rep",
                  "Commercial", "Vendeur", "Vendedor", "Agent vânzări", "Πωλητής",
                  "Tenaga Penjual", "Ahente"),
    "sales_rep_email": ("Sales Rep Email", "Rep Email", "Salesperson Email",
                        "Email commercial", "Email vendedor", "Email agent", "Email πωλητή",
                        "Email Sales"),
    "account_manager": ("Account Manager", "Manager", "Responsable", "Responsable de compte",
                        "Gerente de cuenta", "Gerente", "Manager cont", "Υπεύθυνος λογαριασμού",
                        "Manajer Akun", "Tagapamahala"),
    "account_manager_email": ("Account Manager Email", "Manager Email", "Email responsable",
                              "Email gerente", "Email manager", "Email Manajer"),
    "credit_status": ("Credit Status", "Credit", "Credit Hold", "Statut crédit", "Estado de crédito",
                      "Status credit", "Πιστωτική κατάσταση", "Status Kredit",
                      "Katayuan ng Kredito"),
    "credit_reason": ("Credit Reason",),
    # Contact Log
    "channel": ("Channel", "Type", "Method", "Via", "Canal", "Moyen", "Tipo", "Medio",
                "Κανάλι", "Τρόπος", "Saluran", "Media", "Paraan"),
    "step": ("Step", "Stage", "Action", "Étape", "Etape", "Paso", "Etapa", "Pas", "Βήμα",
             "Στάδιο", "Langkah", "Tahap", "Hakbang"),
    "promised_date": ("Promised Date", "Promise Date", "Promised On", "Promise to Pay Date",
                      "Date promise", "Date de paiement promise", "Fecha prometida",
                      "Fecha de promesa", "Data prometida", "Data promisă", "Data promisa",
                      "Ημερομηνία υπόσχεσης", "Tanggal Janji", "Petsang Ipinangako"),
    "promised_amount": ("Promised Amount", "Promise Amount", "Amount Promised", "Montant promis",
                        "Monto prometido", "Importe prometido", "Valor prometido", "Sumă promisă",
                        "Suma promisa", "Ποσό υπόσχεσης", "Jumlah Janji", "Halagang Ipinangako"),
    "by": ("By", "Done By", "User", "Who", "Par", "Auteur", "Por", "Usuario", "Responsável",
           "De către", "Utilizator", "Από", "Χρήστης", "Oleh", "Pengguna", "Ni", "Gumawa"),
    "instalment_date": ("Instalment Date", "Installment Date", "Date", "Due Date", "Payment Date",
                        "Date d'échéance", "Échéance", "Fecha", "Fecha de cuota", "Data", "Data ratei",
                        "Ημερομηνία δόσης", "Tanggal Cicilan", "Petsa ng Hulog"),
    # Settings and Policy
    "setting": ("Setting", "Settings", "Name", "Key", "Parameter", "Option", "Paramètre",
                "Réglage", "Parámetro", "Ajuste", "Parâmetro", "Setare", "Parametru", "Ρύθμιση",
                "Pengaturan", "Setelan"),
    "value": ("Value", "Valeur", "Valor", "Valoare", "Τιμή", "Nilai", "Halaga"),
    "days": ("Days", "Day", "Jours", "Días", "Dias", "Zile", "Ημέρες", "Hari", "Araw"),
    "from": ("From", "Counted From", "Relative To", "Start", "Depuis", "À partir de", "Desde",
             "De la", "Από", "Dari", "Mula sa"),
    "template": ("Template", "Modèle", "Plantilla", "Modelo", "Șablon", "Sablon", "Πρότυπο",
                 "Templat", "Template ng Sulat"),
    "to": ("To", "Recipient", "Recipients", "Send To", "Destinataire", "Destinatario", "Para",
           "Destinatar", "Προς", "Kepada", "Para kay"),
}

# Which fields each sheet kind uses; a header only matches a field of its sheet.
SHEET_FIELDS: dict[str, tuple[str, ...]] = {
    "invoices": (
        "customer", "customer_code", "company", "invoice_no", "invoice_date", "due_date", "terms",
        "amount", "paid", "balance", "paid_date", "status", "currency", "notes", "contact_name",
        "email", "phone", "address", "address2", "city", "region", "postcode", "country",
        "language", "sales_rep", "sales_rep_email", "account_manager", "credit_limit",
    ),
    "customers": (
        "customer", "customer_code", "company", "contact_name", "email", "phone", "address",
        "address2", "city", "region", "postcode", "country", "language", "terms", "credit_limit",
        "sales_rep", "sales_rep_email", "account_manager", "account_manager_email",
        "credit_status", "credit_reason", "notes", "currency",
    ),
    "contact_log": ("invoice_date", "customer", "customer_code", "invoice_no", "channel", "step",
                    "notes", "promised_date", "promised_amount", "by"),
    "payment_plans": ("customer", "customer_code", "instalment_date", "amount", "invoice_no",
                      "notes"),
    "settings": ("setting", "value"),
    "policy": ("step", "days", "from", "channel", "template", "to"),
}

# In the Contact Log the generic "Date" means the contact date, not an invoice date.
CONTACT_LOG_DATE = "invoice_date"

# Setting names (first = the name collector writes in a new Settings sheet).
SETTINGS: dict[str, tuple[str, ...]] = {
    "company_name": ("Company Name", "Company", "Business Name", "Nom de l'entreprise",
                     "Société", "Empresa", "Nombre de la empresa", "Nume firmă", "Firma",
                     "Επωνυμία", "Nama Perusahaan", "Pangalan ng Kumpanya"),
    "address": ("Address", "Company Address", "Adresse", "Dirección", "Endereço", "Adresă",
                "Διεύθυνση", "Alamat", "Tirahan"),
    "phone": ("Phone", "Telephone", "Téléphone", "Teléfono", "Telefon", "Τηλέφωνο", "Telepon",
              "Telepono"),
    "email": ("Email", "E-mail", "Courriel", "Correo", "Surel"),
    "signature": ("Signature", "Signed", "Sign Off", "Firma", "Semnătură", "Υπογραφή",
                  "Tanda Tangan", "Lagda"),
    "payment_instructions": ("Payment Instructions", "Bank Details", "How to Pay", "Remit To",
                             "Instructions de paiement", "Coordonnées bancaires", "RIB",
                             "Instrucciones de pago", "Datos bancarios", "Instruções de pagamento",
                             "Instrucțiuni de plată", "Cont bancar", "Οδηγίες πληρωμής",
                             "Instruksi Pembayaran", "Rekening Bank", "Paraan ng Pagbabayad"),
    "currency": ("Currency", "Devise", "Moneda", "Moeda", "Monedă", "Νόμισμα", "Mata Uang",
                 "Salapi"),
    "language": ("Language", "Locale", "Langue", "Idioma", "Limbă", "Γλώσσα", "Bahasa", "Wika"),
    "paper_size": ("Paper Size", "Paper", "Page Size", "Format papier", "Tamaño de papel",
                   "Format hârtie", "Μέγεθος χαρτιού", "Ukuran Kertas", "Laki ng Papel"),
    "default_terms": ("Default Terms", "Payment Terms", "Terms", "Conditions de paiement",
                      "Condiciones de pago", "Termen de plată", "Όροι πληρωμής",
                      "Syarat Pembayaran", "Tuntunin sa Pagbabayad"),
    "late_interest": ("Late Interest", "Late Interest (% per month)", "Interest", "Interest Rate",
                      "Late Fee Rate", "Intérêts de retard", "Interés de mora", "Juros de mora",
                      "Penalități de întârziere", "Dobândă penalizatoare", "Τόκος υπερημερίας",
                      "Bunga Keterlambatan", "Denda", "Interes sa Pagkaantala"),
    "grace_days": ("Grace Days", "Grace Period", "Grace", "Jours de grâce", "Días de gracia",
                   "Zile de grație", "Ημέρες χάριτος", "Masa Tenggang", "Palugit"),
    "aging_buckets": ("Aging Buckets", "Ageing Buckets", "Buckets", "Aging", "Ageing",
                      "Tranches", "Tramos", "Intervale", "Κλίμακες", "Rentang Umur"),
    "min_days_between_contacts": ("Minimum Days Between Contacts", "Min Days Between Contacts",
                                  "Days Between Contacts", "Contact Gap",
                                  "Jours entre relances", "Días entre contactos",
                                  "Zile între contacte", "Ημέρες μεταξύ επαφών",
                                  "Jarak Hari Kontak", "Araw sa Pagitan ng Kontak"),
    "output_folder": ("Output Folder", "Output", "Dossier de sortie", "Carpeta de salida",
                      "Folder ieșire", "Φάκελος εξόδου", "Folder Keluaran"),
    "date_order": ("Date Order", "Date Format", "Ordre des dates", "Formato de fecha",
                   "Format dată", "Μορφή ημερομηνίας", "Format Tanggal"),
}

_CURRENCY_HINT = re.compile(r"\((?:[^()]*)\)|\[(?:[^\[\]]*)\]")
_NUMBER_SIGN = re.compile(r"(#|\bn[º°o]\.?(?=\s|$)|\bnr\.?(?=\s|$)|\bno\.(?=\s|$))")


def normalize(text: object) -> str:
    """The form headers are compared in: lower case, no accents, letters and digits only."""
    raw = str(text or "").strip()
    raw = _CURRENCY_HINT.sub(" ", raw)  # "Total (RM)", "Amount [€]", "Tax (6%)"
    raw = _NUMBER_SIGN.sub(" no ", raw.lower())
    decomposed = unicodedata.normalize("NFKD", raw)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(dict.fromkeys(normalize(name) for name in names)) for key, names in table.items()}


_FIELD_KEYS = _index(FIELDS)
_SHEET_KEYS = _index(SHEET_NAMES)
_SETTING_KEYS = _index(SETTINGS)


def field_for(header: object, sheet_kind: str) -> tuple[str, int]:
    """The field a header names on this kind of sheet, and how good the match is.

    Returns ("", 0) for an unknown header. The rank is higher for earlier,
    more specific synonyms, so `Invoice Amount` beats `Value` when both appear.
    """
    key = normalize(header)
    if not key:
        return "", 0
    best = ("", 0)
    for field_name in SHEET_FIELDS[sheet_kind]:
        names = _FIELD_KEYS[field_name]
        if key in names:
            rank = 1000 - names.index(key)
            if rank > best[1]:
                best = (field_name, rank)
    return best


def _first_naming(table: dict[str, tuple[str, ...]], name: object) -> str:
    key = normalize(name)
    return next((entry for entry, names in table.items() if key in names), "")


def sheet_kind(name: str) -> str:
    """The kind of sheet a tab name says it is, or ""."""
    return _first_naming(_SHEET_KEYS, name)


def setting_for(name: object) -> str:
    """The setting a Settings row names, or ""."""
    return _first_naming(_SETTING_KEYS, name)


def display_name(field_name: str) -> str:
    """The header collector writes for a field."""
    return FIELDS[field_name][0]


LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("English", "Anglais", "Inglés", "Engleză", "Αγγλικά", "Inggris", "Ingles"),
    "fr": ("French", "Français", "Francais", "Francés", "Franceză", "Γαλλικά", "Prancis", "Pranses"),
    "ro": ("Romanian", "Română", "Romana", "Roumain", "Rumano", "Ρουμανικά", "Rumania"),
    "el": ("Greek", "Ελληνικά", "Ελληνικα", "Grec", "Griego", "Greacă", "Yunani", "Griyego"),
    "id": ("Indonesian", "Bahasa Indonesia", "Indonesia", "Indonésien", "Indonezian"),
    "tl": ("Tagalog", "Filipino", "Pilipino", "fil"),
    "es": ("Spanish", "Español", "Espanol", "Espagnol", "Spaniolă"),
    "pt": ("Portuguese", "Português", "Portugues"),
}
_LANGUAGE_KEYS = {normalize(n): code for code, names in LANGUAGE_NAMES.items() for n in names}
_LOCALE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?")


def language_code(text: str) -> str:
    """A locale code (`fr`, `en_US`, `tl`) from what the owner typed, or "" when unknown."""
    text = (text or "").strip()
    if not text:
        return ""
    named = _LANGUAGE_KEYS.get(normalize(text))
    if named:
        return named
    match = _LOCALE.fullmatch(text)
    if not match:
        return ""
    language = match.group(1).lower()
    language = {"fil": "tl", "gr": "el", "ind": "id", "in": "id"}.get(language, language)
    return f"{language}_{match.group(2).upper()}" if match.group(2) else language
