"""Public notices (công khai): what the office may show the public of its results, and a record of
what went out. Personal data is removed by redaction rules kept as data; a denouncer is never
shown (Luật Tố cáo 2018, Art. 9; DOMAIN.md §7)."""
