"""Sample app for wsproxy.streamlit: every widget here needs the WebSocket to work."""

import uuid

import streamlit as st

st.set_page_config(page_title="wsproxy.streamlit demo")
st.title("wsproxy.streamlit demo")
st.caption("Served by Streamlit on a child node, through the nginx master.")

# Who the sign-in in front says this is (server.trustedUserHeaders, or st.login): shown only when set.
user = {key: value for key, value in st.user.to_dict().items() if key != "is_logged_in" and value}
if user:
    st.write("Signed in as " + ", ".join(f"{key}={value}" for key, value in sorted(user.items())))

# Streamlit's own sign-in (secrets.toml [auth], written by the container role from streamlit_auth).
try:
    native_sign_in = "auth" in st.secrets
except FileNotFoundError:
    native_sign_in = False
if native_sign_in and st.user.is_logged_in:
    st.button("Log out", on_click=st.logout)
elif native_sign_in:
    st.button("Log in", on_click=st.login)

if "clicks" not in st.session_state:
    st.session_state.clicks = 0
if st.button("Click me"):
    st.session_state.clicks += 1
st.write(f"Button clicked {st.session_state.clicks} times")
# A file the replica keeps in its memory (a media URL under the prefix): another replica answers 404 for it. Its URL is
# a hash of its content, so the content names this visit: two browsers' counts are two files.
if "visit" not in st.session_state:
    st.session_state.visit = uuid.uuid4().hex[:12]
st.download_button("Download the count",
                   data=f"Visit {st.session_state.visit}: button clicked {st.session_state.clicks} times\n",
                   file_name="count.txt", mime="text/plain")

level = st.slider("Level", min_value=0, max_value=100, value=25)
st.write(f"Slider is at {level}")

upload = st.file_uploader("Upload a file")
if upload is not None:
    st.write(f"Received {upload.name}: {len(upload.getvalue())} bytes")

try:
    secret_sections = len(st.secrets)
except FileNotFoundError:
    secret_sections = 0
st.write(f"Secret sections mounted: {secret_sections}")
