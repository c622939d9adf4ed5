#!/usr/bin/env python3
# sigv4-reference.py — what botocore signs, for tests/test-sigv4.c.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads a JSON list of cases on standard input and writes a JSON list of
# answers, one per case, on standard output:
#   {"kind":"header","method":…,"endpoint":"https://host[:port]","key":"raw key"
#    (or "url": the request's URL as sent, already encoded),
#    "query":[[name,value],…],"headers":{…},"payload":"UNSIGNED-PAYLOAD"|null,
#    "body":"text"|null,"time":unix,"access_key_id":…,"secret":…,"region":…}
#     → {"url":…, "authorization":…, "x-amz-date":…, "x-amz-content-sha256":…}
#   {"kind":"presign", … "bucket":…, "addressing":"path"|"virtual","expires":N}
#     → {"url": the presigned GET URL from S3's generate_presigned_url}
# The clock botocore reads is fixed at the case's "time".
import datetime
import json
import sys
import types
from unittest import mock

import botocore.auth
import botocore.session
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def fixed_clock(unix_time):
    moment = datetime.datetime.fromtimestamp(unix_time, datetime.timezone.utc)

    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return moment.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return moment if tz is not None else moment.replace(tzinfo=None)

    fake = types.SimpleNamespace(**{k: getattr(datetime, k) for k in dir(datetime)
                                    if not k.startswith('__')})
    fake.datetime = Fixed
    patches = [mock.patch.object(botocore.auth, 'datetime', fake)]
    if hasattr(botocore.auth, 'get_current_datetime'):
        patches.append(mock.patch.object(botocore.auth, 'get_current_datetime',
                                         lambda *a, **k: moment.replace(tzinfo=None)))
    return patches


def header_case(case):
    credentials = Credentials(case['access_key_id'], case['secret'])
    if 'url' in case:
        # A request as it went on the wire, signed again from what was sent.
        url = case['url']
    else:
        url = case['endpoint'] + '/' + percent_encode(case['key'], safe='/~')
    if case.get('query'):
        url += '?' + '&'.join(percent_encode(n) + '=' + percent_encode(v)
                              for n, v in case['query'])
    body = case['body'].encode('utf-8') if case.get('body') is not None else b''
    request = AWSRequest(method=case['method'], url=url,
                         headers=dict(case.get('headers') or {}), data=body)
    if case.get('payload') == 'UNSIGNED-PAYLOAD':
        request.context['client_config'] = types.SimpleNamespace(
            s3={'payload_signing_enabled': False})
    S3SigV4Auth(credentials, 's3', case['region']).add_auth(request)
    return {
        'url': url,
        'authorization': request.headers['Authorization'],
        'x-amz-date': request.headers['X-Amz-Date'],
        'x-amz-content-sha256': request.headers['X-Amz-Content-SHA256'],
    }


def presign_case(case):
    session = botocore.session.get_session()
    client = session.create_client(
        's3', region_name=case['region'], endpoint_url=case['endpoint'],
        aws_access_key_id=case['access_key_id'], aws_secret_access_key=case['secret'],
        config=Config(signature_version='s3v4',
                      s3={'addressing_style': case['addressing']}))
    url = client.generate_presigned_url(
        'get_object', Params={'Bucket': case['bucket'], 'Key': case['key']},
        ExpiresIn=case['expires'])
    return {'url': url}


def main():
    answers = []
    for case in json.load(sys.stdin):
        patches = fixed_clock(case['time'])
        for p in patches:
            p.start()
        try:
            if case['kind'] == 'header':
                answers.append(header_case(case))
            else:
                answers.append(presign_case(case))
        finally:
            for p in patches:
                p.stop()
    json.dump(answers, sys.stdout, ensure_ascii=True)


main()
