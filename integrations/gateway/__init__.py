"""The e-mail gateway: letters out to bodies outside the portal (``outbound``), the mailbox
read back in (``inbound`` over ``mailbox``), and the reply tokens that tie the two
(``tokens``)."""
