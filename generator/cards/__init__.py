"""Quick cards as PDF: WeasyPrint layout in this process or in workers, the fit check, the card batch."""
