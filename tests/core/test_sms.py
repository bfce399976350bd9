from partnercenter import sms


def test_the_configured_backend_delivers(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    sms.send_sms("0086-13800000000", "验证码 123456")
    assert sms.outbox == [("0086-13800000000", "验证码 123456")]


def test_the_console_backend_logs(settings, caplog):
    settings.SMS_BACKEND = "partnercenter.sms.ConsoleSmsBackend"
    sms.send_sms("0086-13800000000", "hello")
    assert "0086-13800000000" in caplog.text
