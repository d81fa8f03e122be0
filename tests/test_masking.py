import logging

from config.masking import MaskPiiFilter, mask_address, mask_phone, mask_text


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("+86 138-0013-8000") == "138****8000"
    assert mask_phone("") == ""


def test_mask_text_and_address():
    assert mask_text("请拨 138 0013 8000 或 +8613900139000") == "请拨 138****8000 或 139****9000"
    assert mask_text("运单 SF1409821733526") == "运单 SF1409821733526"
    assert mask_address("浙江省杭州市西湖区文三路100号") == "浙江省杭州市西湖区****"


def test_log_filter_masks_every_record(caplog):
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskPiiFilter())
    with caplog.at_level(logging.INFO):
        logger.info("customer %s called", "13800138000")
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text
