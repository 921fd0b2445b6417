from django.test import override_settings

SSO = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "sso",
                "name": "NHSmail (Microsoft Entra ID)",
                "client_id": "client-id",
                "secret": "client-secret",
                "settings": {"server_url": "https://login.microsoftonline.com/tenant/v2.0"},
            }
        ]
    }
}


def test_no_single_sign_on_button_without_settings(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert 'data-testid="sso-button"' not in body
    assert "Sign in with" not in body


@override_settings(SOCIALACCOUNT_PROVIDERS=SSO)
def test_single_sign_on_button_shows_when_configured(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert 'data-testid="sso-button"' in body
    assert "Sign in with NHSmail (Microsoft Entra ID)" in body
    assert 'action="/accounts/oidc/sso/login/?process=login"' in body
