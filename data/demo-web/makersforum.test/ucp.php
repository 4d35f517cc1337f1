<!DOCTYPE html>
<html dir="ltr" lang="en-gb">
<head>
<meta charset="utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1" />

<title>Makers Forum - User Control Panel - Login</title>

<meta name="robots" content="noindex" />
<link href="./styles/prosilver/theme/stylesheet.css?assets_version=42" rel="stylesheet">
</head>
<body id="phpbb" class="nojs notouch section-ucp ltr ">

<div id="wrap" class="wrap">
	<a id="top" class="top-anchor" accesskey="t"></a>
	<div id="page-header">
		<div class="headerbar" role="banner">
			<div class="inner">
			<div id="site-description" class="site-description">
				<a id="logo" class="logo" href="./index.php" title="Board index"><span class="site_logo"></span></a>
				<h1>Makers Forum</h1>
				<p>Talk about workshops, tools, widgets and everything you build</p>
				<p class="skiplink"><a href="#start_here">Skip to content</a></p>
			</div>
			<div id="search-box" class="search-box search-header" role="search">
				<form action="./search.php" method="get" id="search">
				<fieldset>
					<input name="keywords" id="keywords" type="search" maxlength="128" title="Search for keywords" class="inputbox search tiny" size="20" value="" placeholder="Search…" />
					<button class="button button-search" type="submit" title="Search">Search</button>
					<a href="./search.php" class="button button-search-end" title="Advanced search">Advanced search</a>
				</fieldset>
				</form>
			</div>
			</div>
		</div>
		<div class="navbar" role="navigation">
			<div class="inner">
			<ul id="nav-main" class="nav-main linklist" role="menubar">
				<li id="quick-links" class="quick-links dropdown-container responsive-menu" data-skip-responsive="true">
					<a href="#" class="dropdown-trigger"><span>Quick links</span></a>
					<div class="dropdown">
						<ul class="dropdown-contents" role="menu">
							<li><a href="./search.php?search_id=unanswered" role="menuitem">Unanswered topics</a></li>
							<li><a href="./search.php?search_id=active_topics" role="menuitem">Active topics</a></li>
							<li class="separator"></li>
							<li><a href="./search.php" role="menuitem">Search</a></li>
						</ul>
					</div>
				</li>
				<li class="rightside" data-skip-responsive="true"><a href="./ucp.php?mode=login&amp;redirect=index.php" title="Login" accesskey="x" role="menuitem"><span>Login</span></a></li>
				<li class="rightside" data-skip-responsive="true"><a href="./ucp.php?mode=register" role="menuitem"><span>Register</span></a></li>
			</ul>

			<ul id="nav-breadcrumbs" class="nav-breadcrumbs linklist navlinks" role="menubar">
				<li class="breadcrumbs" itemscope itemtype="https://schema.org/BreadcrumbList">
					<span class="crumb" itemtype="https://schema.org/ListItem" itemprop="itemListElement" itemscope><a href="./index.php" itemtype="https://schema.org/Thing" itemscope itemprop="item" accesskey="h" data-navbar-reference="index"><span itemprop="name">Board index</span></a><meta itemprop="position" content="1" /></span>
				</li>
			</ul>
			</div>
		</div>
	</div>

	<a id="start_here" class="anchor"></a>
	<div id="page-body" class="page-body" role="main">

<form action="./ucp.php?mode=login" method="post" id="login" data-focus="username">
<div class="panel">
	<div class="inner">
	<div class="content">
		<h2 class="login-title">Login</h2>
		<fieldset class="fields1">
		<dl><dt><label for="username">Username:</label></dt><dd><input type="text" tabindex="1" name="username" id="username" size="25" value="" class="inputbox autowidth" /></dd></dl>
		<dl><dt><label for="password">Password:</label></dt><dd><input type="password" tabindex="2" id="password" name="password" size="25" class="inputbox autowidth" autocomplete="off" /></dd></dl>
		<dl><dd><label for="autologin"><input type="checkbox" name="autologin" id="autologin" tabindex="4" /> Remember me</label></dd></dl>
		<dl><dt>&nbsp;</dt><dd><input type="submit" name="login" tabindex="6" value="Login" class="button1" /></dd></dl>
		</fieldset>
	</div>
	</div>
</div>
<div class="panel">
	<div class="inner">
	<div class="content">
		<h3>Register</h3>
		<p>In order to login you must be registered. Registering takes only a few moments but gives you increased capabilities.</p>
		<p><strong><a href="./ucp.php?mode=register" class="button2">Register</a></strong></p>
	</div>
	</div>
</div>
</form>

	</div>

<div id="page-footer" class="page-footer" role="contentinfo">
	<div class="navbar" role="navigation">
	<div class="inner">
	<ul id="nav-footer" class="nav-footer linklist" role="menubar">
		<li class="breadcrumbs"><span class="crumb"><a href="./index.php" data-navbar-reference="index"><span>Board index</span></a></span></li>
		<li class="rightside">All times are <span title="Europe/Berlin">UTC+01:00</span></li>
		<li class="rightside"><a href="./ucp.php?mode=delete_cookies" data-ajax="true" role="menuitem"><span>Delete cookies</span></a></li>
		<li class="rightside" data-last-responsive="true"><a href="./memberlist.php?mode=team" role="menuitem"><span>The team</span></a></li>
		<li class="rightside" data-last-responsive="true"><a href="./memberlist.php?mode=contactadmin" role="menuitem"><span>Contact us</span></a></li>
	</ul>
	</div>
	</div>

	<div class="copyright">
		<p class="footer-row"><span class="footer-copyright">Powered by <a href="https://www.phpbb.com/">phpBB</a>&reg; Forum Software &copy; phpBB Limited</span></p>
		<p class="footer-row" role="menu"><a class="footer-link" href="./ucp.php?mode=privacy" title="Privacy" role="menuitem"><span class="footer-link-text">Privacy</span></a> | <a class="footer-link" href="./ucp.php?mode=terms" title="Terms" role="menuitem"><span class="footer-link-text">Terms</span></a></p>
	</div>
</div>
</div>

<script src="./assets/javascript/core.js?assets_version=42"></script>
</body>
</html>
