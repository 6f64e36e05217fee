"""Durable handlers of the mail hub (mailbox sync runs), imported by MailConfig.ready."""
