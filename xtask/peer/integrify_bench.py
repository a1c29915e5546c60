"""Times integrify (integrify-epoint 1.3.0, integrify-azericard 1.1.0) on the
project's benchmark inputs, for `cargo xtask bench --peer integrify`.

Run by xtask inside the virtual environment it creates under the target
directory. Prints one line per path, `integrify <path> <mean ns> <iterations>`,
which xtask parses and puts beside the SDK's figures from the same run.

Usage: integrify_bench.py <azericard balanced key PEM> [seconds per path]
"""

import base64
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from urllib.parse import urlencode

EPOINT_PUBLIC_KEY = 'i000000001'
EPOINT_PRIVATE_KEY = 'test-private-key'
TRANSFER_SECRET = 'C5F1A0E2B9D84F3C6A7E1D2B3C4F5A6B'

# integrify reads its configuration from the environment at import time.
os.environ['EPOINT_PUBLIC_KEY'] = EPOINT_PUBLIC_KEY
os.environ['EPOINT_PRIVATE_KEY'] = EPOINT_PRIVATE_KEY
os.environ['EPOINT_INTERFACE_LANG'] = 'az'
os.environ['AZERICARD_MERCHANT_ID'] = '17201234'
os.environ['AZERICARD_MERCHANT_NAME'] = 'Test Shop'
os.environ['AZERICARD_MERCHANT_URL'] = 'https://shop.example'
os.environ['AZERICARD_MERCHANT_EMAIL'] = 'shop@shop.example'
os.environ['AZERICARD_CALLBACK_URL'] = 'https://shop.example/azericard/callback'
# Set for real before the authorization bench; set here so the import does not warn.
os.environ.setdefault('AZERICARD_KEY_FILE_PATH', sys.argv[1] if len(sys.argv) > 1 else '')


def measure(name, func, seconds):
    """Mean nanoseconds per call: batches timed with perf_counter_ns until
    `seconds` have passed, after a warm-up of a tenth of that."""
    warm_until = time.perf_counter_ns() + int(seconds * 1e8)
    while time.perf_counter_ns() < warm_until:
        func()
    iterations = 0
    batch = 1
    started = time.perf_counter_ns()
    deadline = started + int(seconds * 1e9)
    while True:
        for _ in range(batch):
            func()
        iterations += batch
        now = time.perf_counter_ns()
        if now >= deadline:
            break
        batch = min(batch * 2, 1024)
    mean = (now - started) / iterations
    print(f'integrify {name} {mean:.1f} {iterations}', flush=True)


def epoint_callback_body():
    payload = {
        'order_id': 'ORD-2026-000123',
        'status': 'success',
        'code': '000',
        'message': 'Payment completed successfully',
        'transaction': 'te001234567',
        'bank_transaction': '7TB31SC4DF7G9H2K',
        'bank_response': 'RESULT: OK\nRESULT_PS: FINISHED\nRESULT_CODE: 000\n'
        '3DSECURE: AUTHENTICATED\nRRN: 612345678901\nAPPROVAL_CODE: 123456\n'
        'CARD_NUMBER: 416973******1234',
        'operation_code': '100',
        'rrn': '612345678901',
        'card_name': 'JOHN DOE',
        'card_mask': '416973******1234',
        'amount': 10.5,
        'card_id': 'ce001234567',
        'split_amount': 2.5,
        'other_attr': 'customer_id=42',
    }
    from integrify.epoint.helpers import generate_signature

    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return urlencode({'data': data, 'signature': generate_signature(data)}).encode()


def main():
    if len(sys.argv) < 2:
        print('usage: integrify_bench.py <azericard key PEM> [seconds per path]', file=sys.stderr)
        return 2
    key_path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0

    # Cold start, in two parts: importing the package, then creating the dry
    # client and its first call (integrify creates its httpx client, with its
    # TLS context, on first use, dry mode included).
    started = time.perf_counter_ns()
    from integrify.epoint.client import EPointClientClass
    from integrify.epoint.helpers import decode_callback_data
    from integrify.epoint.schemas.callback import CallbackDataSchema

    imported = time.perf_counter_ns()
    epoint = EPointClientClass(dry=True)
    first = epoint.pay(amount=Decimal('10.50'), currency='AZN', order_id='ORD-2026-000123',
                       description='Order 123 at Test Shop')
    done = time.perf_counter_ns()
    assert first['data']['signature']
    print(f'integrify cold_import {imported - started:.1f} 1', flush=True)
    print(f'integrify cold_create_and_first_call {done - imported:.1f} 1', flush=True)

    from integrify.azericard import env as azericard_env
    from integrify.azericard.client import AzeriCardClientClass
    from integrify.azericard.schemas.callback import TransferCallbackSchema
    from integrify.azericard.schemas.enums import AuthorizationType

    # EPoint callback: raw form body to verified, typed fields.
    body = epoint_callback_body()
    decoded = decode_callback_data(CallbackDataSchema.model_validate(body))
    assert decoded is not None and decoded.order_id == 'ORD-2026-000123', decoded

    def callback():
        return decode_callback_data(CallbackDataSchema.model_validate(body))

    measure('epoint_callback', callback, seconds)

    # EPoint pay request, dry mode: typed arguments to the signed body.
    def pay():
        return epoint.pay(amount=Decimal('10.50'), currency='AZN', order_id='ORD-2026-000123',
                          description='Order 123 at Test Shop')

    measure('epoint_pay_request', pay, seconds)

    # AzeriCard authorization (TRTYPE 1) with P_SIGN, fresh timestamp and nonce per call.
    azericard_env.AZERICARD_KEY_FILE_PATH = key_path
    azericard = AzeriCardClientClass(dry=True)

    def authorization():
        return azericard.authorization(amount=Decimal('10.50'), currency='AZN',
                                       order='000000123456', desc='Order 123456',
                                       trtype=AuthorizationType.DIRECT,
                                       merch_url='https://shop.example', terminal='17201234')

    assert len(authorization()['data']['P_SIGN']) == 512
    measure('azericard_authorization', authorization, seconds)

    # AzeriCard transfer callback: received form body to the verified, typed
    # callback. integrify reads the transfer secret from its key file path.
    with tempfile.NamedTemporaryFile('w', suffix='.key', delete=False) as secret_file:
        secret_file.write(TRANSFER_SECRET)
    azericard_env.AZERICARD_KEY_FILE_PATH = secret_file.name
    fields = [
        # As the Rust bench: digits for OperationID and Cur (944 = AZN), which
        # the SDK's format checks require; the MD5 input keeps its length.
        ('OperationID', '01234567890123456789'),
        ('SRN', '100000000001'),
        ('Amount', '25.00'),
        ('Cur', '944'),
        ('CardStatus', 'our_active'),
        ('ReceiverPAN', '416973******1234'),
        ('Status', 'pending'),
        ('Timestamp', '20261123101530'),
        ('Response Code', '0'),
        ('Message', 'Approved'),
    ]
    import hashlib
    from urllib.parse import parse_qsl

    signature = hashlib.md5((''.join(v for _, v in fields) + TRANSFER_SECRET).encode()).hexdigest()
    transfer_body = urlencode(fields + [('Signature', signature)])

    def transfer_callback():
        return TransferCallbackSchema.model_validate(dict(parse_qsl(transfer_body)))

    assert transfer_callback().srn == '100000000001'
    try:
        measure('azericard_transfer_callback', transfer_callback, seconds)
    finally:
        os.unlink(secret_file.name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
