"""Workbook packages with the things openpyxl drops, written part by part as Excel writes them.

Each builder returns the path of an .xlsx/.xlsm in the folder it is given. The XML is
written by hand (not by openpyxl, which could not write most of it): shared strings,
mc:Ignorable roots with x14ac/xr attributes, a table, a chart, a picture, a text box,
threaded comments with their persons part, sparklines, x14 data validations, data
bars, custom XML, printer settings, a VBA project, hidden and very hidden sheets,
the 1904 date system, formulas with cached results, and a 100,000-row sheet.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = R + "/"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
AS_OF = dt.date(2026, 11, 23)
# A 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2b1f3a4"
                    "0000000049454e44ae426082")

AFTER_MARGINS = ("pageSetup", "headerFooter", "drawing", "legacyDrawing", "tableParts")  # schema order
INVOICE_HEADER = ["Customer", "Invoice No", "Invoice Date", "Terms", "Amount", "Paid", "Notes"]


@dataclass(frozen=True)
class Formula:
    text: str
    cached: object = None


@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[object]] = ()
    state: str = "visible"
    after_data: str = ""  # elements between sheetData and pageMargins (conditional formats, validations)
    after_margins: dict[str, str] = field(default_factory=dict)  # pageSetup, drawing, legacyDrawing, tableParts
    ext: str = ""  # <ext> elements for the sheet's extLst
    rels: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, target)
    parts: dict[str, bytes] = field(default_factory=dict)  # extra parts this sheet brings
    content_types: dict[str, str] = field(default_factory=dict)  # part -> content type override
    raw_rows: Optional[Callable[[], Sequence[str]]] = None  # pre-rendered <row> elements (big sheets)


@dataclass
class Book:
    sheets: list[Sheet]
    date1904: bool = False
    shared_strings: bool = True
    macro: bool = False
    workbook_rels: list[tuple[str, str, str]] = field(default_factory=list)
    parts: dict[str, bytes] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    package_rels: list[tuple[str, str, str]] = field(default_factory=list)
    defined_names: str = ""


def column(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def serial(day: dt.date, date1904: bool = False) -> int:
    return (day - (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30))).days


class _Strings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str) -> int:
        self.count += 1
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]

    def xml(self) -> str:
        body = "".join(f"<si><t xml:space=\"preserve\">{escape(s)}</t></si>" for s in self.items)
        return (DECL + f'<sst xmlns="{MAIN}" count="{self.count}" uniqueCount="{len(self.items)}">{body}</sst>')


def _cell(reference: str, value: object, strings: Optional[_Strings], date1904: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        cached = value.cached
        if isinstance(cached, str) and cached.startswith("#"):
            return f'<c r="{reference}" t="e"><f>{escape(value.text)}</f><v>{escape(cached)}</v></c>'
        if isinstance(cached, str):
            return f'<c r="{reference}" t="str"><f>{escape(value.text)}</f><v>{escape(cached)}</v></c>'
        v = "" if cached is None else f"<v>{cached}</v>"
        return f'<c r="{reference}"><f>{escape(value.text)}</f>{v}</c>'
    if isinstance(value, dt.date):
        return f'<c r="{reference}" s="1"><v>{serial(value, date1904)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        style = ' s="2"' if isinstance(value, float) else ""
        return f'<c r="{reference}"{style}><v>{value}</v></c>'
    if strings is not None:
        return f'<c r="{reference}" t="s"><v>{strings.add(str(value))}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _rows(rows: Sequence[Sequence[object]], strings: Optional[_Strings], date1904: bool) -> str:
    out = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{column(i)}{number}", v, strings, date1904) for i, v in enumerate(row, start=1))
        out.append(f'<row r="{number}" spans="1:{max(len(row), 1)}" x14ac:dyDescent="0.25">{cells}</row>')
    return "".join(out)


def _sheet_xml(sheet: Sheet, strings: Optional[_Strings], date1904: bool) -> str:
    rows = "".join(sheet.raw_rows()) if sheet.raw_rows else _rows(sheet.rows, strings, date1904)
    width = max((len(r) for r in sheet.rows), default=1)
    height = max(len(sheet.rows), 1)
    ext = f'<extLst>{sheet.ext}</extLst>' if sheet.ext else ""
    return (DECL + f'<worksheet xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr" '
            f'xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" xr:uid="{{00000000-0001-0000-0000-000000000000}}">'
            f'<dimension ref="A1:{column(width)}{height}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
            f'<cols><col min="1" max="1" width="24.7109375" customWidth="1"/></cols>'
            f'<sheetData>{rows}</sheetData>{sheet.after_data}'
            f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'{"".join(sheet.after_margins.get(n, "") for n in AFTER_MARGINS)}{ext}</worksheet>')


STYLES = (DECL + f'<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac x16r2 xr" '
          f'xmlns:x14ac="{X14AC}" xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" '
          f'xmlns:xr="{XR}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
          '<fonts count="2" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="Calibri"/>'
          '<family val="2"/><scheme val="minor"/></font><font><b/><sz val="11"/><color theme="1"/>'
          '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
          '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
          'defaultPivotStyle="PivotStyleLight16"/><extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" '
          'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
          '<x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></ext></extLst></styleSheet>')

THEME = (DECL + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme">'
         '<a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
         '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2>'
         '<a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1>'
         '<a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3>'
         '<a:accent4><a:srgbClr val="FFC000"/></a:accent4><a:accent5><a:srgbClr val="5B9BD5"/></a:accent5>'
         '<a:accent6><a:srgbClr val="70AD47"/></a:accent6><a:hlink><a:srgbClr val="0563C1"/></a:hlink>'
         '<a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme><a:fontScheme name="Office">'
         '<a:majorFont><a:latin typeface="Calibri Light"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
         '<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>'
         '</a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/>'
         '</a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/>'
         '</a:solidFill></a:fillStyleLst><a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/>'
         '</a:solidFill></a:ln><a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
         '<a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst>'
         '<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/>'
         '</a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst>'
         '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
         '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements>'
         '</a:theme>')


def write_book(path: Path, book: Book) -> Path:
    """The package for book, part by part, the way Excel lays one out."""
    strings = _Strings() if book.shared_strings else None
    parts: dict[str, bytes] = {}
    overrides = {"/xl/workbook.xml": ("application/vnd.ms-excel.sheet.macroEnabled.main+xml" if book.macro else
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
                 "/xl/styles.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
                 "/xl/theme/theme1.xml": "application/vnd.openxmlformats-officedocument.theme+xml",
                 "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
                 "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml"}
    workbook_rels = []
    sheet_entries = []
    for number, sheet in enumerate(book.sheets, start=1):
        part = f"xl/worksheets/sheet{number}.xml"
        parts[part] = _sheet_xml(sheet, strings, book.date1904).encode("utf-8")
        overrides["/" + part] = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        workbook_rels.append((f"rId{number}", REL + "worksheet", f"worksheets/sheet{number}.xml"))
        state = f' state="{sheet.state}"' if sheet.state != "visible" else ""
        sheet_entries.append(f'<sheet name="{escape(sheet.name)}" sheetId="{number}"{state} r:id="rId{number}"/>')
        if sheet.rels:
            parts[f"xl/worksheets/_rels/sheet{number}.xml.rels"] = _rels(sheet.rels).encode("utf-8")
        parts.update(sheet.parts)
        overrides.update({"/" + p: t for p, t in sheet.content_types.items()})
    count = len(book.sheets)
    workbook_rels += [(f"rId{count + 1}", REL + "theme", "theme/theme1.xml"),
                      (f"rId{count + 2}", REL + "styles", "styles.xml")]
    if strings is not None:
        workbook_rels.append((f"rId{count + 3}", REL + "sharedStrings", "sharedStrings.xml"))
        overrides["/xl/sharedStrings.xml"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    workbook_rels += book.workbook_rels
    parts.update(book.parts)
    overrides.update({"/" + p: t for p, t in book.content_types.items()})
    date1904 = ' date1904="1"' if book.date1904 else ""
    names = f"<definedNames>{book.defined_names}</definedNames>" if book.defined_names else ""
    parts["xl/workbook.xml"] = (
        DECL + f'<workbook xmlns="{MAIN}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x15 xr xr6 xr10 xr2" '
        'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" xmlns:xr="' + XR + '" '
        'xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" '
        'xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" '
        'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27328"/>'
        f'<workbookPr{date1904} defaultThemeVersion="166925"/>'
        '<xr:revisionPtr revIDLastSave="0" documentId="8_{00000000-0000-0000-0000-000000000000}" '
        'xr6:coauthVersionLast="47" xr6:coauthVersionMax="47" xr10:uidLastSave="{00000000-0000-0000-0000-000000000000}"/>'
        '<bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15840"/></bookViews>'
        f'<sheets>{"".join(sheet_entries)}</sheets>{names}<calcPr calcId="191029"/></workbook>').encode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = _rels(workbook_rels).encode("utf-8")
    parts["xl/styles.xml"] = STYLES.encode("utf-8")
    parts["xl/theme/theme1.xml"] = THEME.encode("utf-8")
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings.xml().encode("utf-8")
    titles = "".join(f"<vt:lpstr>{escape(s.name)}</vt:lpstr>" for s in book.sheets)
    parts["docProps/app.xml"] = (
        DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel'
        '</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>'
        '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant>'
        f'<vt:i4>{len(book.sheets)}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>'
        f'<vt:vector size="{len(book.sheets)}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
        '<AppVersion>16.0300</AppVersion></Properties>').encode("utf-8")
    parts["docProps/core.xml"] = (
        DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Owner</dc:creator>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T09:00:00Z</dcterms:created></cp:coreProperties>'
    ).encode("utf-8")
    package_rels = [("rId1", REL + "officeDocument", "xl/workbook.xml"),
                    ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                     "docProps/core.xml"),
                    ("rId3", REL + "extended-properties", "docProps/app.xml")] + book.package_rels
    parts["_rels/.rels"] = _rels(package_rels).encode("utf-8")
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml",
                "png": "image/png"}
    defaults.update(book.defaults)
    types = "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items())
    types += "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items())
    content_types = (DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     f"{types}</Types>").encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        for name in ["_rels/.rels"] + sorted(p for p in parts if p != "_rels/.rels"):
            archive.writestr(name, parts[name])
    return path


def _rels(items: Sequence[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{escape(target)}"'
                   + (' TargetMode="External"' if target.startswith("http") else "") + "/>"
                   for i, t, target in items)
    return DECL + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'


# --- the owner's data -------------------------------------------------------------------------


def invoice_rows(count: int = 8, date1904: bool = False) -> list[list[object]]:
    """A short invoice list: overdue, current, part paid and paid invoices for four customers."""
    customers = ["Acme Ltd", "Bolt & Sons", "=Cog Wheel Co", "Dyna Ltd"]
    rows: list[list[object]] = [list(INVOICE_HEADER)]
    for number in range(count):
        issued = AS_OF - dt.timedelta(days=12 + 17 * number)
        amount = 100.0 + 37.5 * number
        paid = amount if number % 4 == 3 else (40.0 if number % 4 == 2 else 0)
        rows.append([customers[number % 4], f"INV-{1000 + number}", issued, "Net 30", amount, paid,
                     "=not a formula" if number == 1 else ""])
    return rows


def customers_sheet() -> Sheet:
    return Sheet("Customers", [["Customer", "Email", "Credit Limit"], ["Acme Ltd", "ap@acme.test", 500],
                               ["Bolt & Sons", "pay@bolt.test", 100], ["=Cog Wheel Co", "cog@cog.test", 5000],
                               ["Dyna Ltd", "dyna@dyna.test", 5000]])


def summary_sheet(name: str = "Summary", state: str = "visible") -> Sheet:
    """Formulas with cached results, one of them text, one an error."""
    return Sheet(name, [["Total invoiced", Formula("SUM(Invoices!E2:E9)", 1425)],
                        ["Largest", Formula("MAX(Invoices!E2:E9)", 362.5)],
                        ["First customer", Formula("Invoices!A2", "Acme Ltd")],
                        ["Broken", Formula("1/0", "#DIV/0!")], ["Pending", Formula("Invoices!E2*2", None)]], state=state)


# --- features -----------------------------------------------------------------------------------


def with_table(sheet: Sheet, rows: int) -> None:
    """An Excel Table over the invoices."""
    columns = "".join(f'<tableColumn id="{i}" name="{escape(n)}"/>' for i, n in enumerate(INVOICE_HEADER, 1))
    ref = f"A1:{column(len(INVOICE_HEADER))}{rows}"
    sheet.parts["xl/tables/table1.xml"] = (
        DECL + f'<table xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr xr3" xmlns:xr="{XR}" '
        'xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" id="1" '
        f'xr:uid="{{11111111-0000-0000-0000-000000000000}}" name="InvoiceTable" displayName="InvoiceTable" ref="{ref}">'
        f'<autoFilter ref="{ref}" xr:uid="{{22222222-0000-0000-0000-000000000000}}"/>'
        f'<tableColumns count="{len(INVOICE_HEADER)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        'showColumnStripes="0"/></table>').encode("utf-8")
    sheet.rels.append(("rIdTable1", REL + "table", "../tables/table1.xml"))
    sheet.after_margins["tableParts"] = '<tableParts count="1"><tablePart r:id="rIdTable1"/></tableParts>'
    sheet.content_types["xl/tables/table1.xml"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


def with_drawing(sheet: Sheet, data_sheet: str) -> None:
    """A chart, a picture and a text box on one drawing."""
    drawing = (
        DECL + '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>9</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>15</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" '
        'name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart '
        'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{R}" r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
        '</xdr:twoCellAnchor><xdr:oneCellAnchor><xdr:from><xdr:col>10</xdr:col><xdr:colOff>0</xdr:colOff>'
        '<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="952500" cy="952500"/><xdr:pic>'
        '<xdr:nvPicPr><xdr:cNvPr id="3" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
        f'<a:blip xmlns:r="{R}" r:embed="rId2"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>'
        '<xdr:twoCellAnchor><xdr:from><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>17</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>21</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="4" '
        'name="TextBox 3"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/>'
        '</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>Call Acme before Friday</a:t>'
        '</a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
    chart = (
        DECL + '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{R}"><c:chart><c:plotArea>'
        '<c:layout/><c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/>'
        f'<c:order val="0"/><c:val><c:numRef><c:f>{escape(data_sheet)}!$E$2:$E$5</c:f><c:numCache>'
        '<c:formatCode>General</c:formatCode><c:ptCount val="4"/><c:pt idx="0"><c:v>100</c:v></c:pt>'
        '</c:numCache></c:numRef></c:val></c:ser><c:axId val="1"/><c:axId val="2"/></c:barChart><c:catAx>'
        '<c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:crossAx val="2"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling>'
        '<c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:crossAx val="1"/>'
        '</c:valAx></c:plotArea></c:chart></c:chartSpace>')
    sheet.parts["xl/drawings/drawing1.xml"] = drawing.encode("utf-8")
    sheet.parts["xl/drawings/_rels/drawing1.xml.rels"] = _rels(
        [("rId1", REL + "chart", "../charts/chart1.xml"), ("rId2", REL + "image", "../media/image1.png")]).encode()
    sheet.parts["xl/charts/chart1.xml"] = chart.encode("utf-8")
    sheet.parts["xl/media/image1.png"] = PNG
    sheet.rels.append(("rIdDrawing1", REL + "drawing", "../drawings/drawing1.xml"))
    sheet.after_margins["drawing"] = '<drawing r:id="rIdDrawing1"/>'
    sheet.content_types.update({
        "xl/drawings/drawing1.xml": "application/vnd.openxmlformats-officedocument.drawing+xml",
        "xl/charts/chart1.xml": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"})


def with_threaded_comments(sheet: Sheet, book: Book, sheet_number: int) -> None:
    """A threaded comment (with the legacy note Excel writes beside it) and the workbook's persons part."""
    threaded = (
        DECL + '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><threadedComment ref="B2" '
        'dT="2026-11-01T10:00:00.00" personId="{AAAAAAAA-0000-0000-0000-000000000001}" '
        'id="{BBBBBBBB-0000-0000-0000-000000000001}"><text>Acme promised payment next week</text></threadedComment>'
        '</ThreadedComments>')
    legacy = (
        DECL + f'<comments xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="xr" xmlns:xr="{XR}"><authors>'
        '<author>tc={BBBBBBBB-0000-0000-0000-000000000001}</author></authors><commentList><comment ref="B2" '
        'authorId="0" shapeId="0" xr:uid="{BBBBBBBB-0000-0000-0000-000000000001}"><text><t>[Threaded comment] '
        'Acme promised payment next week</t></text></comment></commentList></comments>')
    vml = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
           'data="1"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
           'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
           'o:connecttype="rect"/></v:shapetype><v:shape id="_x0000_s1025" type="#_x0000_t202" '
           'style="position:absolute;margin-left:107pt;margin-top:1pt;width:108pt;height:59pt;z-index:1;'
           'visibility:hidden" fillcolor="infoBackground [80]" o:insetmode="auto"><v:textbox/><x:ClientData '
           'ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>1</x:Row>'
           '<x:Column>1</x:Column></x:ClientData></v:shape></xml>')
    persons = (DECL + '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
               f'xmlns:x="{MAIN}"><person displayName="Owner" id="{{AAAAAAAA-0000-0000-0000-000000000001}}" '
               'userId="Owner" providerId="None"/></personList>')
    sheet.parts[f"xl/threadedComments/threadedComment{sheet_number}.xml"] = threaded.encode("utf-8")
    sheet.parts[f"xl/comments{sheet_number}.xml"] = legacy.encode("utf-8")
    sheet.parts[f"xl/drawings/vmlDrawing{sheet_number}.vml"] = vml.encode("utf-8")
    sheet.rels += [("rIdThreaded", "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                    f"../threadedComments/threadedComment{sheet_number}.xml"),
                   ("rIdComments", REL + "comments", f"../comments{sheet_number}.xml"),
                   ("rIdVml", REL + "vmlDrawing", f"../drawings/vmlDrawing{sheet_number}.vml")]
    sheet.after_margins["legacyDrawing"] = '<legacyDrawing r:id="rIdVml"/>'
    sheet.content_types.update({
        f"xl/threadedComments/threadedComment{sheet_number}.xml": "application/vnd.ms-excel.threadedcomments+xml",
        f"xl/comments{sheet_number}.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"})
    book.defaults["vml"] = "application/vnd.openxmlformats-officedocument.vmlDrawing"
    book.parts["xl/persons/person.xml"] = persons.encode("utf-8")
    book.content_types["xl/persons/person.xml"] = "application/vnd.ms-excel.person+xml"
    book.workbook_rels.append(("rIdPersons", "http://schemas.microsoft.com/office/2017/10/relationships/person",
                               "persons/person.xml"))


def with_notes(sheet: Sheet, book: Book, notes: dict[str, str]) -> None:
    """Plain cell notes by the owner, in Excel's own layout (authors, VML drawing with one shape a note)."""
    comments = "".join(f'<comment ref="{ref}" authorId="0" shapeId="0"><text><r><rPr><b/><sz val="9"/>'
                       f'<rFont val="Tahoma"/></rPr><t>Owner:</t></r><r><t xml:space="preserve">{escape(text)}</t>'
                       '</r></text></comment>' for ref, text in notes.items())
    shapes = []
    for number, ref in enumerate(notes, start=1025):
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1
        col = sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(ref.rstrip("0123456789")))) - 1
        shapes.append(f'\r\n <v:shape id="_x0000_s{number}" type="#_x0000_t202" style=\'position:absolute;'
                      "margin-left:107pt;margin-top:1pt;width:108pt;height:59pt;z-index:1;visibility:hidden' "
                      'fillcolor="infoBackground [80]" o:insetmode="auto">\r\n  <v:textbox/>\r\n  '
                      f'<x:ClientData ObjectType="Note">\r\n   <x:MoveWithCells/>\r\n   <x:Row>{row}</x:Row>\r\n'
                      f'   <x:Column>{col}</x:Column>\r\n  </x:ClientData>\r\n </v:shape>')
    vml = ('<xml xmlns:v="urn:schemas-microsoft-com:vml"\r\n xmlns:o="urn:schemas-microsoft-com:office:office"\r\n '
           'xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n <o:shapelayout v:ext="edit">\r\n  <o:idmap '
           'v:ext="edit" data="1"/>\r\n </o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" '
           'o:spt="202"\r\n  path="m,l,21600r21600,l21600,xe">\r\n  <v:stroke joinstyle="miter"/>\r\n  '
           '<v:path gradientshapeok="t" o:connecttype="rect"/>\r\n </v:shapetype>' + "".join(shapes) + "</xml>\r\n")
    sheet.parts["xl/comments1.xml"] = (DECL + f'<comments xmlns="{MAIN}"><authors><author>Owner</author></authors>'
                                       f"<commentList>{comments}</commentList></comments>").encode("utf-8")
    sheet.parts["xl/drawings/vmlDrawing1.vml"] = vml.encode("utf-8")
    sheet.rels += [("rId1", REL + "vmlDrawing", "../drawings/vmlDrawing1.vml"),
                   ("rId2", REL + "comments", "../comments1.xml")]
    sheet.after_margins["legacyDrawing"] = '<legacyDrawing r:id="rId1"/>'
    sheet.content_types["xl/comments1.xml"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
    book.defaults["vml"] = "application/vnd.openxmlformats-officedocument.vmlDrawing"


def with_sparklines(sheet: Sheet, rows: int) -> None:
    sheet.ext += (
        f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{X14}"><x14:sparklineGroups '
        f'xmlns:xm="{XM}"><x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>'
        f'<x14:sparklines><x14:sparkline><xm:f>Invoices!E2:F{rows}</xm:f><xm:sqref>H2</xm:sqref></x14:sparkline>'
        '</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>')


def with_x14_validation(sheet: Sheet, rows: int) -> None:
    """A drop-down fed from another sheet, which Excel stores as an x14 extension."""
    sheet.ext += (
        f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}"><x14:dataValidations count="1" '
        f'xmlns:xm="{XM}"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
        '<x14:formula1><xm:f>Customers!$A$2:$A$5</xm:f></x14:formula1>'
        f'<xm:sqref>A2:A{rows}</xm:sqref></x14:dataValidation></x14:dataValidations></ext>')


def with_data_bars(sheet: Sheet, rows: int) -> None:
    sheet.after_data += (
        f'<conditionalFormatting sqref="E2:E{rows}"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/>'
        '<cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
        f'xmlns:x14="{X14}"><x14:id>{{33333333-0000-0000-0000-000000000001}}</x14:id></ext></extLst></cfRule>'
        '</conditionalFormatting>')
    sheet.ext += (
        f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}"><x14:conditionalFormattings>'
        f'<x14:conditionalFormatting xmlns:xm="{XM}"><x14:cfRule type="dataBar" '
        'id="{33333333-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" maxLength="100" gradient="0">'
        '<x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/>'
        f'<x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>E2:E{rows}</xm:sqref>'
        '</x14:conditionalFormatting></x14:conditionalFormattings></ext>')


def with_printer_settings(sheet: Sheet) -> None:
    sheet.parts["xl/printerSettings/printerSettings1.bin"] = bytes(range(256)) * 4
    sheet.rels.append(("rIdPrinter", REL + "printerSettings", "../printerSettings/printerSettings1.bin"))
    sheet.content_types["xl/printerSettings/printerSettings1.bin"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings")
    sheet.after_margins["pageSetup"] = '<pageSetup paperSize="9" orientation="landscape" r:id="rIdPrinter"/>'


def with_custom_xml(book: Book) -> None:
    book.parts["customXml/item1.xml"] = b'<?xml version="1.0"?><ledger xmlns="urn:owner:ledger"><id>42</id></ledger>'
    book.parts["customXml/itemProps1.xml"] = (
        DECL + '<ds:datastoreItem ds:itemID="{44444444-0000-0000-0000-000000000001}" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/>'
        '</ds:datastoreItem>').encode()
    book.parts["customXml/_rels/item1.xml.rels"] = _rels(
        [("rId1", REL + "customXmlProps", "itemProps1.xml")]).encode()
    book.content_types["customXml/itemProps1.xml"] = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
    book.workbook_rels.append(("rIdCustom", REL + "customXml", "../customXml/item1.xml"))


def with_connection(book: Book) -> None:
    book.parts["xl/connections.xml"] = (
        DECL + f'<connections xmlns="{MAIN}"><connection id="1" name="Bank feed" type="5" refreshedVersion="6" '
        'background="1"><dbPr connection="Provider=Microsoft.Mashup.OleDb.1;Data Source=$Workbook$" '
        'command="SELECT * FROM [Bank]"/></connection></connections>').encode()
    book.content_types["xl/connections.xml"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"
    book.workbook_rels.append(("rIdConnections", REL + "connections", "connections.xml"))


def with_vba(book: Book) -> None:
    book.macro = True
    book.parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    book.defaults["bin"] = "application/vnd.ms-office.vbaProject"
    book.workbook_rels.append(("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                               "vbaProject.bin"))


# --- the corpus -------------------------------------------------------------------------------


def kitchen_sink(folder: Path) -> Path:
    """Everything at once: table, drawing, sparklines, x14 validation, data bars, custom XML, printer
    settings, a data connection, formulas with cached results, a hidden and a very hidden sheet."""
    rows = invoice_rows()
    invoices = Sheet("Invoices", rows)
    with_table(invoices, len(rows))
    with_sparklines(invoices, len(rows))
    with_x14_validation(invoices, len(rows))
    with_data_bars(invoices, len(rows))
    with_printer_settings(invoices)
    dashboard = summary_sheet("Dashboard")
    with_drawing(dashboard, "Invoices")
    book = Book([invoices, customers_sheet(), dashboard, summary_sheet("Workings", "hidden"),
                 Sheet("Lists", [["Terms"], ["Net 30"], ["Net 60"]], state="veryHidden")],
                defined_names='<definedName name="TermsList">Lists!$A$2:$A$3</definedName>'
                              '<definedName name="_xlnm.Print_Area" localSheetId="0">Invoices!$A$1:$G$9</definedName>')
    with_custom_xml(book)
    with_connection(book)
    return write_book(folder / "kitchen-sink.xlsx", book)


def shared_strings(folder: Path) -> Path:
    return write_book(folder / "shared-strings.xlsx", Book([Sheet("Invoices", invoice_rows()), customers_sheet()]))


def inline_strings(folder: Path) -> Path:
    return write_book(folder / "inline-strings.xlsx",
                      Book([Sheet("Invoices", invoice_rows()), customers_sheet()], shared_strings=False))


def threaded_comments(folder: Path) -> Path:
    invoices = Sheet("Invoices", invoice_rows())
    book = Book([invoices, customers_sheet()])
    with_threaded_comments(invoices, book, 1)
    return write_book(folder / "threaded-comments.xlsx", book)


def owner_notes(folder: Path) -> Path:
    """The owner's own notes on the invoices, one of them on a header of collector's, one right of them."""
    invoices = Sheet("Invoices", invoice_rows())
    book = Book([invoices, customers_sheet()],  # collector's block from an earlier run is H:O
                defined_names="<definedName name=\"_collector_computed\" hidden=\"1\">'Invoices'!$H$1:$O$1</definedName>")
    with_notes(invoices, book, {"B3": "Disputed: wrong PO", "I1": "Why is this 0 for Acme?", "Q1": "VAT next"})
    return write_book(folder / "owner-notes.xlsx", book)


def macro_workbook(folder: Path) -> Path:
    book = Book([Sheet("Invoices", invoice_rows()), customers_sheet(), summary_sheet()])
    with_vba(book)
    return write_book(folder / "macros.xlsm", book)


def date1904(folder: Path) -> Path:
    return write_book(folder / "mac-1904.xlsx",
                      Book([Sheet("Invoices", invoice_rows(date1904=True)), customers_sheet()], date1904=True))


def hidden_sheets(folder: Path) -> Path:
    return write_book(folder / "hidden-sheets.xlsx", Book([
        Sheet("Read me", [["This workbook tracks invoices"]]), Sheet("Invoices", invoice_rows()),
        summary_sheet("Workings", "hidden"), Sheet("Secret", [["x"]], state="veryHidden"), customers_sheet()]))


def big_sheet(folder: Path, count: int = 100_000) -> Path:
    """count invoices, nearly all paid, so the run's cost is the streaming of the big sheet."""
    def rows() -> list[str]:
        out = ['<row r="1" spans="1:7">' + "".join(
            f'<c r="{column(i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(INVOICE_HEADER, 1))
            + "</row>"]
        base = serial(AS_OF)
        for number in range(count):
            r = number + 2
            issued = base - 20 - number % 300
            amount = 50 + number % 900 + 0.25
            paid = 0 if number % 5000 == 0 else amount
            out.append(f'<row r="{r}" spans="1:7"><c r="A{r}" t="inlineStr"><is><t>Customer {number % 40:02d}</t>'
                       f'</is></c><c r="B{r}" t="inlineStr"><is><t>N{100000 + number}</t></is></c>'
                       f'<c r="C{r}" s="1"><v>{issued}</v></c><c r="D{r}" t="inlineStr"><is><t>Net 30</t></is></c>'
                       f'<c r="E{r}" s="2"><v>{amount}</v></c><c r="F{r}" s="2"><v>{paid}</v></c></row>')
        return out

    sheet = Sheet("Invoices", [INVOICE_HEADER] + [[None] * 7] * count, raw_rows=rows)
    return write_book(folder / "big.xlsx", Book([sheet], shared_strings=False))


def stale_tabs(folder: Path) -> Path:
    """Aging and History tabs from an earlier run (a formula, a picture) and a calcChain listing their formulas."""
    aging = Sheet("Aging", [["Old aging", Formula("SUM(Invoices!E2:E9)", 1425)]])
    with_drawing(aging, "Invoices")
    history = Sheet("History", [["Run Date", "Currency", "Receivables"], [AS_OF - dt.timedelta(days=7), "", 999.5]])
    book = Book([Sheet("Invoices", invoice_rows()), customers_sheet(), summary_sheet(), aging, history],
                defined_names='<definedName name="_xlnm.Print_Titles" localSheetId="3">Aging!$1:$1</definedName>')
    book.parts["xl/calcChain.xml"] = (
        DECL + f'<calcChain xmlns="{MAIN}"><c r="B1" i="3"/><c r="B2"/><c r="B3"/><c r="B4"/><c r="B5"/>'
        '<c r="B1" i="4"/></calcChain>').encode()
    book.content_types["xl/calcChain.xml"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
    book.workbook_rels.append(("rIdCalc", REL + "calcChain", "calcChain.xml"))
    return write_book(folder / "stale-tabs.xlsx", book)


def owner_filter(folder: Path) -> Path:
    """The owner's AutoFilter over the invoices, one column filtered and the list sorted from its button,
    with the hidden name Excel keeps of its range; a custom view with a filter of its own."""
    rows = invoice_rows()
    last, count = column(len(INVOICE_HEADER)), len(rows)
    ref = f"A1:{last}{count}"
    invoices = Sheet("Invoices", rows, after_data=(
        f'<autoFilter ref="{ref}"><filterColumn colId="3"><filters><filter val="Net 30"/></filters></filterColumn>'
        f'<sortState ref="A2:{last}{count}"><sortCondition ref="C2:C{count}"/></sortState></autoFilter>'
        '<customSheetViews><customSheetView guid="{33333333-0000-0000-0000-000000000000}" filter="1" showAutoFilter="1">'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<autoFilter ref="{ref}"/></customSheetView></customSheetViews>'))
    book = Book([invoices, customers_sheet()], defined_names=(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Invoices!$A$1:${last}${count}'
        '</definedName><definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">Customers!$A$1:$C$5'
        '</definedName><definedName name="_xlnm.Print_Titles" localSheetId="0">Invoices!$1:$1</definedName>'))
    return write_book(folder / "owner-filter.xlsx", book)


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "stale-tabs": stale_tabs,
    "kitchen-sink": kitchen_sink, "shared-strings": shared_strings, "inline-strings": inline_strings,
    "threaded-comments": threaded_comments, "macros": macro_workbook, "1904": date1904,
    "hidden-sheets": hidden_sheets, "owner-notes": owner_notes, "owner-filter": owner_filter,
}
