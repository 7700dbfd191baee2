"""Prints made in the tests, in the real layouts: a PDF (fpdf2) with margin line numbers every
five lines and running heads and feet, and an HTML print with line-number and running-head elements."""
from fpdf import FPDF

LINE_MM = 6.0
TOP_MM = 35.0


def make_pdf(pages, *, header="Sample Procurement Bill", footer="Bill 7 58/3", text_layer=True) -> bytes:
    """``pages``: lists of ``(text, bold)`` lines. Each page gets a running head (the short
    title and the page number), a running foot (the print's number) and margin numbers every
    fifth line; line numbering starts again on each page."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        if not text_layer:
            pdf.rect(20, 30, 150, 200, style="F")  # a scanned page: ink, no text
            continue
        pdf.set_font("Helvetica", "", 9)
        pdf.text(30, 12, f"{header}  {number}")
        pdf.text(30, 290, footer)
        for index, (text, bold) in enumerate(lines):
            y = TOP_MM + index * LINE_MM
            line = index + 1
            if line % 5 == 0:
                pdf.set_font("Helvetica", "", 8)
                pdf.text(12, y, str(line))
            pdf.set_font("Helvetica", "B" if bold else "", 11)
            pdf.text(30, y, text)
    return bytes(pdf.output())


def html_print(blocks, *, title="Sample Procurement Bill") -> bytes:
    """``blocks``: ``(tag, text)``; text blocks get a margin line number every fifth block."""
    out = [f'<html><head><title>{title}</title></head><body>',
           f'<div class="running-header"><p>{title}</p></div>', '<div class="page-break" data-page="1"></div>']
    line = 0
    for tag, text in blocks:
        if tag == "page":
            out.append(f'<div class="page-break" data-page="{text}"></div>')
            line = 0
            continue
        line += 1
        number = f'<span class="line-number">{line}</span>' if line % 5 == 0 else ""
        out.append(f"<{tag}>{number}{text}</{tag}>")
    out.append('<div class="page-footer"><p>HL Bill 7</p></div></body></html>')
    return "\n".join(out).encode("utf-8")
