"""What Calma tells people, by email: what each event says (``compose``), the links in it
(``links``), the calendar files attached (``ics``), queuing (``outbox``), sending once
(``send``) and the periodic sweeps that send reminders, review alerts and after-care
(``sweeps``)."""
