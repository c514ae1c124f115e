"""Old registers from Excel and CSV: read the file, map its headers, preview each row's problems,
import through the bulk path (``desktop.workflow.bulk``) — once: a second import adds nothing."""
